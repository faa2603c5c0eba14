import type { Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { accountRoutes } from './account.ts';
import { adminTokenRoutes } from './admin-tokens.ts';
import { healthRoutes } from './health.ts';

export async function registerRestRoutes(app: FastifyInstance, services: Services): Promise<void> {
  healthRoutes(app, services);
  accountRoutes(app, services);
  adminTokenRoutes(app, services);
}
