import { agentOperations as ops } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import { WithStatus } from '@rungate/http';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

export function agentRoutes(app: FastifyInstance, { agents }: Services): void {
  addRoute(app, ops.create, async ({ auth, body }) => ({ data: await agents.create(auth, body) }));
  addRoute(app, ops.list, async ({ auth, query }) => {
    const data = await agents.list(auth, query);
    return { data, total: data.length };
  });
  addRoute(app, ops.stats, async ({ auth }) => ({ data: await agents.stats(auth) }));
  addRoute(app, ops.get, async ({ auth, params }) => ({ data: await agents.get(auth, params.id) }));
  addRoute(app, ops.update, async ({ auth, params, body }) => ({ data: await agents.update(auth, params.id, body) }));
  addRoute(app, ops.patch, async ({ auth, params, body }) => ({ data: await agents.patch(auth, params.id, body) }));
  addRoute(app, ops.rotateKey, async ({ auth, params }) => ({ data: await agents.rotateKey(auth, params.id) }));
  addRoute(app, ops.upsertByName, async ({ auth, params, body }) => {
    const { created, data } = await agents.upsertByName(auth, params.name, body);
    return new WithStatus(created ? 201 : 200, { data });
  });
}
