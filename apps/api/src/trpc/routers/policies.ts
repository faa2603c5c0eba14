import { CreatePolicyInput, IdParams, ListPoliciesQuery, UpdatePolicyInput, Uuid } from '@rungate/contracts';
import { readProcedure, router, writeProcedure } from '../init.ts';

export const policiesRouter = router({
  list: readProcedure
    .input(ListPoliciesQuery.default({}))
    .query(({ ctx, input }) => ctx.services.policies.list(ctx.auth, input)),
  get: readProcedure.input(IdParams).query(({ ctx, input }) => ctx.services.policies.get(ctx.auth, input.id)),
  create: writeProcedure
    .input(CreatePolicyInput)
    .mutation(({ ctx, input }) => ctx.services.policies.create(ctx.auth, input)),
  update: writeProcedure
    .input(UpdatePolicyInput.extend({ id: Uuid }))
    .mutation(({ ctx, input: { id, ...patch } }) => ctx.services.policies.update(ctx.auth, id, patch)),
  delete: writeProcedure.input(IdParams).mutation(({ ctx, input }) => ctx.services.policies.delete(ctx.auth, input.id)),
  versions: readProcedure
    .input(IdParams)
    .query(({ ctx, input }) => ctx.services.policies.listVersions(ctx.auth, input.id)),
});
