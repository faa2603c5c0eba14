import { IdParams, UpdateMemberInput } from '@rungate/contracts';
import { adminProcedure, readProcedure, router } from '../init.ts';

export const membersRouter = router({
  list: readProcedure.query(({ ctx }) => ctx.services.members.list(ctx.auth)),
  update: adminProcedure
    .input(IdParams.extend(UpdateMemberInput.shape))
    .mutation(({ ctx, input: { id, ...changes } }) => ctx.services.members.update(ctx.auth, id, changes)),
  remove: adminProcedure.input(IdParams).mutation(({ ctx, input }) => ctx.services.members.remove(ctx.auth, input.id)),
  transferOwnership: adminProcedure
    .input(IdParams)
    .mutation(({ ctx, input }) => ctx.services.members.transferOwnership(ctx.auth, input.id)),
});
