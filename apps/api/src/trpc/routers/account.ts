import { UpdateAccountInput } from '@rungate/contracts';
import { readProcedure, router, writeProcedure } from '../init.ts';

export const accountRouter = router({
  get: readProcedure.query(({ ctx }) => ctx.services.accounts.getCurrent(ctx.auth)),
  update: writeProcedure
    .input(UpdateAccountInput)
    .mutation(({ ctx, input }) => ctx.services.accounts.updateCurrent(ctx.auth, input)),
});
