import type { Operation } from '@rungate/contracts';
import { toRoutePath } from '@rungate/contracts';
import type { AuthContext, Scope } from '@rungate/governance';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { operationSchema, type Parsed } from '@rungate/proxy';

export interface RouteInput<Op extends Operation> {
  params: Parsed<Op['params']>;
  query: Parsed<Op['query']>;
  body: Parsed<Op['body']>;
  /** Set on dashboard routes; not set on public or agent routes. */
  auth: AuthContext;
  request: FastifyRequest;
}

/** A handler result answered with another of the operation's statuses (an upsert's 201 on create). */
export class WithStatus {
  readonly status: number;
  readonly body: unknown;
  constructor(status: number, body: unknown) {
    this.status = status;
    this.body = body;
  }
}

/**
 * Registers one spec operation: validation comes from its contract, the status from its
 * success code; the handler only calls a service and shapes the envelope.
 */
export function addRoute<Op extends Operation>(
  app: FastifyInstance,
  operation: Op,
  handler: (input: RouteInput<Op>) => Promise<unknown>,
  options: { scope?: Scope } = {},
): void {
  app.route({
    method: operation.method,
    url: toRoutePath(operation.path),
    schema: operationSchema(operation),
    config: { auth: operation.auth, ...(options.scope ? { scope: options.scope } : {}) },
    handler: async (request, reply) => {
      const result = await handler({
        params: request.params as Parsed<Op['params']>,
        query: request.query as Parsed<Op['query']>,
        body: request.body as Parsed<Op['body']>,
        auth: request.auth,
        request,
      });
      if (result instanceof WithStatus) return reply.code(result.status).send(result.body);
      reply.code(operation.successStatus);
      if (operation.successContentType) reply.type(contentTypeOf(operation.successContentType));
      return result === undefined ? reply.send() : reply.send(result);
    },
  });
}

/** Text bodies are sent as UTF-8 and say so, as JSON answers do. */
const contentTypeOf = (mediaType: string) => (mediaType.startsWith('text/') ? `${mediaType}; charset=utf-8` : mediaType);
