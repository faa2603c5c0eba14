import { webhookOperations as ops } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

export function webhookRoutes(app: FastifyInstance, { webhooks }: Services): void {
  addRoute(app, ops.create, async ({ auth, body }) => ({ data: await webhooks.create(auth, body) }));
  addRoute(app, ops.list, async ({ auth, query }) => {
    const data = await webhooks.list(auth, query);
    return { data, total: data.length };
  });
  addRoute(app, ops.get, async ({ auth, params }) => ({ data: await webhooks.get(auth, params.id) }));
  addRoute(app, ops.update, async ({ auth, params, body }) => ({ data: await webhooks.update(auth, params.id, body) }));
  addRoute(app, ops.delete, async ({ auth, params }) => ({ data: await webhooks.delete(auth, params.id) }));
  addRoute(app, ops.enable, async ({ auth, params }) => ({ data: await webhooks.enable(auth, params.id) }));
  addRoute(app, ops.disable, async ({ auth, params }) => ({ data: await webhooks.disable(auth, params.id) }));
  addRoute(app, ops.rotateSecret, async ({ auth, params }) => ({ data: await webhooks.rotateSecret(auth, params.id) }));
  addRoute(app, ops.expirePreviousSecret, async ({ auth, params }) => ({
    data: await webhooks.expirePreviousSecret(auth, params.id),
  }));
  addRoute(app, ops.listDeliveries, async ({ auth, params, query }) => webhooks.listDeliveries(auth, params.id, query));
  addRoute(app, ops.test, async ({ auth, params }) => ({ data: await webhooks.test(auth, params.id) }));
}
