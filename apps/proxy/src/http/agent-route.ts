import { type Operation, toRoutePath } from '@rungate/contracts';
import type { AgentRow } from '@rungate/governance';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { operationSchema, type Parsed } from './operation-schema.ts';

export interface AgentRouteInput<Op extends Operation> {
  params: Parsed<Op['params']>;
  query: Parsed<Op['query']>;
  body: Parsed<Op['body']>;
  agent: AgentRow;
  request: FastifyRequest;
  reply: FastifyReply;
}

/**
 * Registers one agent-facing operation: validation from its contract, the agent from the auth
 * hook. A handler that already answered (streams, blocks) returns its reply.
 */
export function agentRoute<Op extends Operation>(app: FastifyInstance, operation: Op, handler: (input: AgentRouteInput<Op>) => Promise<unknown>): void {
  app.route({
    method: operation.method,
    url: toRoutePath(operation.path),
    schema: operationSchema(operation),
    config: { auth: operation.auth },
    handler: async (request, reply) => {
      const result = await handler({
        params: request.params as Parsed<Op['params']>,
        query: request.query as Parsed<Op['query']>,
        body: request.body as Parsed<Op['body']>,
        agent: request.agent,
        request,
        reply,
      });
      // A reply is thenable, so a handler that answered itself (streams, refusals) resolves to
      // undefined here; `sent` tells, without sending twice.
      if (reply.sent) return reply;
      return reply.code(operation.successStatus).send(result);
    },
  });
}
