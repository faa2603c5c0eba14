import { type AgentApiDiscovery, agentApiOperations, type Operation, proxyOperations } from '@rungate/contracts';
import type { FastifyInstance } from 'fastify';
import { agentRoute } from '../agent-route.ts';

/** Built from the contracts, so the list cannot drift from the routes actually served. */
const discovery: AgentApiDiscovery = {
  name: 'Rungate Agent API',
  version: 'v1',
  auth: 'Authorization: Bearer rg_sk_... (or x-api-key: rg_sk_...)',
  endpoints: [...Object.values(proxyOperations), ...Object.values(agentApiOperations)]
    .filter((operation: Operation) => operation.auth === 'agent')
    .map((operation) => ({ method: operation.method, path: operation.path, description: operation.summary })),
  admin_api: '/api',
};

export function discoveryRoute(app: FastifyInstance): void {
  agentRoute(app, agentApiOperations.discover, async () => discovery);
}
