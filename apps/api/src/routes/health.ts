import { buildOpenApiDocument, healthOperations as ops } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

export function healthRoutes(app: FastifyInstance, { health }: Services): void {
  const openApiDocument = buildOpenApiDocument();
  addRoute(app, ops.get, () => health.check());
  addRoute(app, ops.openApiDocument, async () => openApiDocument);
}
