import type { FastifyInstance } from 'fastify';
import type { ProxyOptions } from '../options.ts';
import { discoveryRoute } from './agent-api/discovery.ts';
import { runControlRoutes } from './agent-api/run-control.ts';
import { runRoutes } from './agent-api/runs.ts';

/** The agent's own view of itself and its runs (/v1, /v1/me, /v1/runs/...). */
export function agentApiRoutes(app: FastifyInstance, options: ProxyOptions): void {
  discoveryRoute(app);
  runRoutes(app, options.services);
  runControlRoutes(app, options.services);
}
