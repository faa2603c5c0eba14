import { AdminCompleteRunInput, IdParams, ListRunStepsQuery, ListRunsQuery, RenameRunInput } from '@rungate/contracts';
import { readProcedure, router, writeProcedure } from '../init.ts';

export const runsRouter = router({
  list: readProcedure
    .input(ListRunsQuery.prefault({}))
    .query(({ ctx, input }) => ctx.services.runs.list(ctx.auth, input)),
  get: readProcedure.input(IdParams).query(({ ctx, input }) => ctx.services.runs.get(ctx.auth, input.id)),
  steps: readProcedure
    .input(IdParams.extend(ListRunStepsQuery.shape))
    .query(({ ctx, input: { id, ...query } }) => ctx.services.runs.steps(ctx.auth, id, query)),
  ledger: readProcedure.input(IdParams).query(({ ctx, input }) => ctx.services.runs.ledger(ctx.auth, input.id)),
  rename: writeProcedure
    .input(IdParams.extend(RenameRunInput.shape))
    .mutation(({ ctx, input }) => ctx.services.runs.rename(ctx.auth, input.id, input.name)),
  stop: writeProcedure.input(IdParams).mutation(({ ctx, input }) => ctx.services.runs.stop(ctx.auth, input.id)),
  unblock: writeProcedure.input(IdParams).mutation(({ ctx, input }) => ctx.services.runs.unblock(ctx.auth, input.id)),
  complete: writeProcedure
    .input(IdParams.extend(AdminCompleteRunInput.shape))
    .mutation(({ ctx, input: { id, ...body } }) => ctx.services.runs.complete(ctx.auth, id, body)),
});
