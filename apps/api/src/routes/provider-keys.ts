import { providerKeyOperations as ops } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import { WithStatus } from '@rungate/http';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

export function providerKeyRoutes(app: FastifyInstance, { providerKeys }: Services): void {
  addRoute(app, ops.create, async ({ auth, body }) => ({ data: await providerKeys.create(auth, body) }));
  addRoute(app, ops.list, async ({ auth, query }) => {
    const data = await providerKeys.list(auth, query);
    return { data, total: data.length };
  });
  addRoute(app, ops.get, async ({ auth, params }) => ({ data: await providerKeys.get(auth, params.id) }));
  addRoute(app, ops.update, async ({ auth, params, body }) => ({
    data: await providerKeys.update(auth, params.id, body),
  }));
  addRoute(app, ops.delete, async ({ auth, params, query }) => ({
    data: await providerKeys.delete(auth, params.id, query.remap_to),
  }));
  addRoute(app, ops.disable, async ({ auth, params }) => ({ data: await providerKeys.disable(auth, params.id) }));
  addRoute(app, ops.enable, async ({ auth, params }) => ({ data: await providerKeys.enable(auth, params.id) }));
  addRoute(app, ops.dependents, async ({ auth, params }) => ({ data: await providerKeys.dependents(auth, params.id) }));
  addRoute(app, ops.upsertByName, async ({ auth, params, body }) => {
    const { data, created } = await providerKeys.upsertByName(auth, params.name, body);
    return new WithStatus(created ? 201 : 200, { data });
  });
}
