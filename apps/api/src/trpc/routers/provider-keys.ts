import {
  CreateProviderKeyInput,
  DeleteProviderKeyQuery,
  IdParams,
  ListProviderKeysQuery,
  UpdateProviderKeyInput,
} from '@rungate/contracts';
import { readProcedure, router, writeProcedure } from '../init.ts';

export const providerKeysRouter = router({
  list: readProcedure
    .input(ListProviderKeysQuery.default({}))
    .query(({ ctx, input }) => ctx.services.providerKeys.list(ctx.auth, input)),
  get: readProcedure.input(IdParams).query(({ ctx, input }) => ctx.services.providerKeys.get(ctx.auth, input.id)),
  dependents: readProcedure
    .input(IdParams)
    .query(({ ctx, input }) => ctx.services.providerKeys.dependents(ctx.auth, input.id)),
  create: writeProcedure
    .input(CreateProviderKeyInput)
    .mutation(({ ctx, input }) => ctx.services.providerKeys.create(ctx.auth, input)),
  update: writeProcedure
    .input(IdParams.extend(UpdateProviderKeyInput.shape))
    .mutation(({ ctx, input: { id, ...changes } }) => ctx.services.providerKeys.update(ctx.auth, id, changes)),
  delete: writeProcedure
    .input(IdParams.extend(DeleteProviderKeyQuery.shape))
    .mutation(({ ctx, input }) => ctx.services.providerKeys.delete(ctx.auth, input.id, input.remap_to)),
  disable: writeProcedure
    .input(IdParams)
    .mutation(({ ctx, input }) => ctx.services.providerKeys.disable(ctx.auth, input.id)),
  enable: writeProcedure
    .input(IdParams)
    .mutation(({ ctx, input }) => ctx.services.providerKeys.enable(ctx.auth, input.id)),
});
