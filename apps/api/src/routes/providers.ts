import { providerOperations as ops } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

export function providerRoutes(app: FastifyInstance, { providerHealth }: Services): void {
  addRoute(app, ops.health, async ({ auth }) => {
    const data = await providerHealth.list(auth);
    return { data, total: data.length };
  });
}
