import { alertRuleOperations as ops } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

/** Reads need the read scope, changes the write scope (the default for the method). */
export function alertRuleRoutes(app: FastifyInstance, { alertRules }: Services): void {
  addRoute(app, ops.create, async ({ auth, body }) => ({ data: await alertRules.create(auth, body) }));
  addRoute(app, ops.list, async ({ auth, query }) => {
    const data = await alertRules.list(auth, query);
    return { data, total: data.length };
  });
  addRoute(app, ops.get, async ({ auth, params }) => ({ data: await alertRules.get(auth, params.id) }));
  addRoute(app, ops.update, async ({ auth, params, body }) => ({
    data: await alertRules.update(auth, params.id, body),
  }));
  addRoute(app, ops.delete, async ({ auth, params }) => ({ data: await alertRules.delete(auth, params.id) }));
  addRoute(app, ops.enable, async ({ auth, params }) => ({ data: await alertRules.enable(auth, params.id) }));
  addRoute(app, ops.disable, async ({ auth, params }) => ({ data: await alertRules.disable(auth, params.id) }));
}
