import { type Operation, type OperationAuth, toRoutePath } from '@rungate/contracts';
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { operationSchema, type Parsed } from './operation-schema.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set from the operation's contract; each app's auth hook guards the routes of its kind. */
    auth?: OperationAuth;
  }
}

export interface RouteInput<Op extends Operation> {
  params: Parsed<Op['params']>;
  query: Parsed<Op['query']>;
  body: Parsed<Op['body']>;
  request: FastifyRequest;
  reply: FastifyReply;
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
 * success code; the handler only calls a service and shapes the envelope. A handler that
 * already answered (streams, refusals) returns its reply; `config` adds to the route's
 * config (the operation's `auth` is always set).
 */
export function defineRoute<Op extends Operation>(
  app: FastifyInstance,
  operation: Op,
  handler: (input: RouteInput<Op>) => Promise<unknown>,
  options: { config?: FastifyContextConfig } = {},
): void {
  app.route({
    method: operation.method,
    url: toRoutePath(operation.path),
    schema: operationSchema(operation),
    config: { auth: operation.auth, ...options.config },
    handler: async (request, reply) => {
      const result = await handler({
        params: request.params as Parsed<Op['params']>,
        query: request.query as Parsed<Op['query']>,
        body: request.body as Parsed<Op['body']>,
        request,
        reply,
      });
      // A reply is thenable, so a handler that answered itself resolves to undefined here;
      // `sent` tells, without sending twice.
      if (reply.sent) return reply;
      if (result instanceof WithStatus) return reply.code(result.status).send(result.body);
      reply.code(operation.successStatus);
      if (operation.successContentType) reply.type(contentTypeOf(operation.successContentType));
      return result === undefined ? reply.send() : reply.send(result);
    },
  });
}

/** Text bodies are sent as UTF-8 and say so, as JSON answers do. */
const contentTypeOf = (mediaType: string) =>
  mediaType.startsWith('text/') ? `${mediaType}; charset=utf-8` : mediaType;
