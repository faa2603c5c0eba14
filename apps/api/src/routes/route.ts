import type { Operation } from '@rungate/contracts';
import type { AuthContext, Scope } from '@rungate/governance';
import { defineRoute, type RouteInput } from '@rungate/http';
import type { FastifyInstance } from 'fastify';

export interface DashboardRouteInput<Op extends Operation> extends RouteInput<Op> {
  /** Set on dashboard routes; not set on public or agent routes. */
  auth: AuthContext;
}

/**
 * Registers one spec operation of the api: `defineRoute` with who is asking (dashboard
 * routes) and the scope the route needs, when not the method's default.
 */
export function addRoute<Op extends Operation>(
  app: FastifyInstance,
  operation: Op,
  handler: (input: DashboardRouteInput<Op>) => Promise<unknown>,
  options: { scope?: Scope } = {},
): void {
  defineRoute(
    app,
    operation,
    (input) => handler({ ...input, auth: input.request.auth }),
    options.scope ? { config: { scope: options.scope } } : {},
  );
}
