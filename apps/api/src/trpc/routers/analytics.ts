import { CleanupInput, CleanupPreviewQuery } from '@rungate/contracts';
import { adminProcedure, readProcedure, router } from '../init.ts';

export const analyticsRouter = router({
  cleanupPreview: readProcedure
    .input(CleanupPreviewQuery.prefault({}))
    .query(({ ctx, input }) => ctx.services.retention.preview(ctx.auth, input.days)),
  cleanup: adminProcedure
    .input(CleanupInput)
    .mutation(({ ctx, input }) => ctx.services.retention.cleanup(ctx.auth, input.days)),
});
