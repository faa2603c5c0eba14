import { memberOperations as ops } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

/** Any member may list; changing, removing and transferring need an owner or admin (the service narrows transfer to the owner). */
export function memberRoutes(app: FastifyInstance, { members }: Services): void {
  const scope = 'admin' as const;
  addRoute(app, ops.list, async ({ auth }) => {
    const data = await members.list(auth);
    return { data, total: data.length };
  });
  addRoute(app, ops.update, async ({ auth, params, body }) => ({ data: await members.update(auth, params.id, body) }), {
    scope,
  });
  addRoute(app, ops.remove, async ({ auth, params }) => ({ data: await members.remove(auth, params.id) }), { scope });
  addRoute(
    app,
    ops.transferOwnership,
    async ({ auth, params }) => ({ data: await members.transferOwnership(auth, params.id) }),
    { scope },
  );
}
