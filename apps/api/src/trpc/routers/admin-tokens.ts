import { CreateAdminTokenInput, IdParams, ListAdminTokensQuery } from '@rungate/contracts';
import { adminProcedure, router } from '../init.ts';

export const adminTokensRouter = router({
  list: adminProcedure
    .input(ListAdminTokensQuery)
    .query(({ ctx, input }) => ctx.services.adminTokens.list(ctx.auth, input)),
  get: adminProcedure.input(IdParams).query(({ ctx, input }) => ctx.services.adminTokens.get(ctx.auth, input.id)),
  create: adminProcedure
    .input(CreateAdminTokenInput)
    .mutation(({ ctx, input }) => ctx.services.adminTokens.create(ctx.auth, input)),
  revoke: adminProcedure
    .input(IdParams)
    .mutation(({ ctx, input }) => ctx.services.adminTokens.revoke(ctx.auth, input.id)),
});
