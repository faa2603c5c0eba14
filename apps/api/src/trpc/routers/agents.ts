import { CreateAgentInput, IdParams, ListAgentsQuery, PatchAgentInput, UpdateAgentInput } from '@rungate/contracts';
import { readProcedure, router, writeProcedure } from '../init.ts';

export const agentsRouter = router({
  list: readProcedure
    .input(ListAgentsQuery.default({}))
    .query(({ ctx, input }) => ctx.services.agents.list(ctx.auth, input)),
  get: readProcedure.input(IdParams).query(({ ctx, input }) => ctx.services.agents.get(ctx.auth, input.id)),
  create: writeProcedure
    .input(CreateAgentInput)
    .mutation(({ ctx, input }) => ctx.services.agents.create(ctx.auth, input)),
  update: writeProcedure
    .input(IdParams.extend(UpdateAgentInput.shape))
    .mutation(({ ctx, input: { id, ...changes } }) => ctx.services.agents.update(ctx.auth, id, changes)),
  patch: writeProcedure
    .input(IdParams.extend(PatchAgentInput.shape))
    .mutation(({ ctx, input: { id, ...changes } }) => ctx.services.agents.patch(ctx.auth, id, changes)),
  rotateKey: writeProcedure
    .input(IdParams)
    .mutation(({ ctx, input }) => ctx.services.agents.rotateKey(ctx.auth, input.id)),
});
