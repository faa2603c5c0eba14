import type { Operation } from '@rungate/contracts';
import type { AgentRow } from '@rungate/governance';
import { defineRoute, type RouteInput } from '@rungate/http';
import type { FastifyInstance } from 'fastify';

export interface AgentRouteInput<Op extends Operation> extends RouteInput<Op> {
  /** The caller, set by the agent auth hook on every `auth: 'agent'` route. */
  agent: AgentRow;
}

/**
 * Registers one agent-facing operation: validation from its contract, the agent from the auth
 * hook. A handler that already answered (streams, blocks) returns its reply.
 */
export function agentRoute<Op extends Operation>(
  app: FastifyInstance,
  operation: Op,
  handler: (input: AgentRouteInput<Op>) => Promise<unknown>,
): void {
  defineRoute(app, operation, (input) => handler({ ...input, agent: input.request.agent }));
}
