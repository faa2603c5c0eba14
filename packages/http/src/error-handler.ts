import { AppError, isConnectionError } from '@rungate/governance';
import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';

type ErrorBody = { error: { type: string; message: string; fields?: Record<string, string> } };

/** An answer for a failure; `retryAfterSeconds` becomes `Retry-After` (outages the caller may retry). */
export interface ErrorAnswer {
  status: number;
  body: ErrorBody;
  retryAfterSeconds?: number;
}

/** Fail closed while the database is unreachable: nothing is served ungoverned (docs/decisions.md). */
const STORAGE_UNAVAILABLE: ErrorAnswer = {
  status: 503,
  body: { error: { type: 'service_unavailable', message: 'The database is unreachable; retry shortly' } },
  retryAfterSeconds: 1,
};

/** The spec's `ErrorResponse.type` enum is narrower than our codes; fold the extra ones onto it. */
const SPEC_TYPE: Partial<Record<AppError['code'], string>> = {
  payload_too_large: 'validation_error',
  gone: 'not_found',
  internal_error: 'internal_error',
};

function fieldsFromValidation(error: {
  validation: { instancePath: string; message?: string }[];
  validationContext?: string;
}) {
  const fields: Record<string, string> = {};
  for (const issue of error.validation) {
    const path = issue.instancePath.replace(/^\//, '').replaceAll('/', '.');
    const key = path || error.validationContext || 'body';
    fields[key] ??= issue.message ?? 'is invalid';
  }
  return fields;
}

/** Maps every failure to the spec's `ErrorResponse` shape; 5xx are logged and answered without internals. */
export function toErrorResponse(error: FastifyError | AppError | Error): ErrorAnswer {
  if (error instanceof AppError) {
    const type = SPEC_TYPE[error.code] ?? error.code;
    return {
      status: error.status,
      body: { error: { type, message: error.message, ...(error.fields ? { fields: error.fields } : {}) } },
    };
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    const fields = fieldsFromValidation(error as never);
    const summary = Object.entries(fields)
      .map(([k, v]) => `${k}: ${v}`)
      .join('; ');
    return {
      status: 400,
      body: { error: { type: 'validation_error', message: `Invalid request: ${summary}`, fields } },
    };
  }
  const fastifyError = error as FastifyError;
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return { status: 413, body: { error: { type: 'validation_error', message: 'Request body is too large' } } };
  }
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return {
      status: 415,
      body: { error: { type: 'validation_error', message: 'Content-Type must be application/json' } },
    };
  }
  if (isConnectionError(error)) return STORAGE_UNAVAILABLE;
  const status = fastifyError.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const message = fastifyError.code?.startsWith('FST_ERR_CTP')
      ? `Malformed request body: ${fastifyError.message}`
      : fastifyError.message;
    return { status, body: { error: { type: 'validation_error', message } } };
  }
  return { status: 500, body: { error: { type: 'internal_error', message: 'Internal server error' } } };
}

export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = toErrorResponse(error);
    if (answer === STORAGE_UNAVAILABLE) {
      request.log.warn({ url: request.url, method: request.method, reason: error.message }, 'database unreachable');
    } else if (answer.status >= 500) {
      request.log.error({ err: error, url: request.url, method: request.method }, 'request failed');
    }
    if (answer.retryAfterSeconds !== undefined) reply.header('retry-after', String(answer.retryAfterSeconds));
    return reply.status(answer.status).send(answer.body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { type: 'not_found', message: `Route ${request.method} ${request.url.split('?')[0]} not found` },
    }),
  );
}
