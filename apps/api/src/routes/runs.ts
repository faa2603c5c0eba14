import { runOperations as ops } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

export function runRoutes(app: FastifyInstance, { runs }: Services): void {
  addRoute(app, ops.list, ({ auth, query }) => runs.list(auth, query));
  addRoute(app, ops.get, async ({ auth, params }) => ({ data: await runs.get(auth, params.id) }));
  addRoute(app, ops.rename, async ({ auth, params, body }) => ({
    data: await runs.rename(auth, params.id, body.name),
  }));
  addRoute(app, ops.listSteps, ({ auth, params, query }) => runs.steps(auth, params.id, query));
  addRoute(app, ops.listLedger, ({ auth, params }) => runs.ledger(auth, params.id));
  addRoute(app, ops.stop, async ({ auth, params }) => ({ data: await runs.stop(auth, params.id) }));
  addRoute(app, ops.unblock, async ({ auth, params }) => ({ data: await runs.unblock(auth, params.id) }));
  addRoute(app, ops.complete, async ({ auth, params, body }) => ({ data: await runs.complete(auth, params.id, body) }));
}
