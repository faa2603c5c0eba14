import { buildOpenApiDocument, healthOperations as ops } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import { WithStatus } from '@rungate/http';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

export function healthRoutes(app: FastifyInstance, { health }: Services): void {
  const openApiDocument = buildOpenApiDocument();
  addRoute(app, ops.get, async () => {
    const answer = await health.check();
    return answer.storage === 'error' ? new WithStatus(503, answer) : answer;
  });
  addRoute(app, ops.openApiDocument, async () => openApiDocument);
}
