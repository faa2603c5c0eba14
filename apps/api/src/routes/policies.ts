import { policyOperations as ops } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import { WithStatus } from '@rungate/http';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

export function policyRoutes(app: FastifyInstance, { policies }: Services): void {
  addRoute(app, ops.create, async ({ auth, body }) => ({ data: await policies.create(auth, body) }));
  addRoute(app, ops.list, async ({ auth, query }) => {
    const data = await policies.list(auth, query);
    return { data, total: data.length };
  });
  addRoute(app, ops.stats, async ({ auth, params, query }) => ({ data: await policies.stats(auth, params.id, query) }));
  addRoute(app, ops.costTrend, ({ auth, params, query }) => policies.costTrend(auth, params.id, query));
  addRoute(app, ops.get, async ({ auth, params }) => ({ data: await policies.get(auth, params.id) }));
  addRoute(app, ops.update, async ({ auth, params, body }) => ({ data: await policies.update(auth, params.id, body) }));
  addRoute(app, ops.delete, async ({ auth, params }) => ({ data: await policies.delete(auth, params.id) }));
  addRoute(app, ops.upsertByName, async ({ auth, params, body }) => {
    const { policy, created } = await policies.upsertByName(auth, params.name, body);
    return new WithStatus(created ? 201 : 200, { data: policy });
  });
  addRoute(app, ops.listVersions, async ({ auth, params }) => {
    const data = await policies.listVersions(auth, params.id);
    return { data, total: data.length };
  });
  addRoute(app, ops.getVersion, async ({ auth, params }) => ({
    data: await policies.getVersion(auth, params.id, params.version),
  }));
}
