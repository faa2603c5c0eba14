import { accountOperations as ops } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

export function accountRoutes(app: FastifyInstance, { accounts }: Services): void {
  addRoute(app, ops.getCurrent, async ({ auth }) => ({ data: await accounts.getCurrent(auth) }));
  addRoute(app, ops.updateCurrent, async ({ auth, body }) => ({ data: await accounts.updateCurrent(auth, body) }));
}
