import { analyticsOperations as ops } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

/** Data retention; deleting the org's history for good takes the admin scope, counting it only read. */
export function analyticsRoutes(app: FastifyInstance, { retention }: Services): void {
  addRoute(app, ops.cleanupPreview, async ({ auth, query }) => ({ data: await retention.preview(auth, query.days) }));
  addRoute(app, ops.cleanup, async ({ auth, body }) => ({ data: await retention.cleanup(auth, body.days) }), {
    scope: 'admin',
  });
}
