import { adminTokenOperations as ops } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { addRoute } from './route.ts';

/** Token management needs the admin scope, reads included. */
export function adminTokenRoutes(app: FastifyInstance, { adminTokens }: Services): void {
  const scope = 'admin' as const;
  addRoute(app, ops.create, ({ auth, body }) => adminTokens.create(auth, body), { scope });
  addRoute(
    app,
    ops.list,
    async ({ auth, query }) => {
      const data = await adminTokens.list(auth, query);
      return { data, total: data.length };
    },
    { scope },
  );
  addRoute(app, ops.get, async ({ auth, params }) => ({ data: await adminTokens.get(auth, params.id) }), { scope });
  addRoute(app, ops.revoke, async ({ auth, params }) => ({ data: await adminTokens.revoke(auth, params.id) }), {
    scope,
  });
}
