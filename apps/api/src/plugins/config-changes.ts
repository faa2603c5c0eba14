import type { Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';

/**
 * Any successful write through the dashboard surfaces may change what the proxy caches (agents,
 * policies, provider keys): bump the configuration generation so those caches reload at once.
 * One hook here instead of a call in every mutating service method.
 */
export function trackConfigChanges(app: FastifyInstance, services: Services): void {
  app.addHook('onResponse', async (request, reply) => {
    if (request.method === 'GET' || reply.statusCode >= 400) return;
    if (request.url.startsWith('/api/') || request.url.startsWith('/trpc/')) services.deps.configGeneration.bump();
  });
}
