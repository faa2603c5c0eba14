import { approvalOperations as ops } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

export function approvalRoutes(app: FastifyInstance, { approvals }: Services): void {
  addRoute(app, ops.list, ({ auth, query }) => approvals.list(auth, query));
  addRoute(app, ops.get, async ({ auth, params }) => ({ data: await approvals.get(auth, params.id) }));
  addRoute(app, ops.approve, async ({ auth, params }) => ({ data: await approvals.approve(auth, params.id) }));
  addRoute(app, ops.reject, async ({ auth, params, body }) => ({
    data: await approvals.reject(auth, params.id, body?.reason),
  }));
}
