import { IdParams, ListApprovalRequestsQuery, RejectApprovalInput } from '@rungate/contracts';
import { readProcedure, router, writeProcedure } from '../init.ts';

export const approvalsRouter = router({
  list: readProcedure
    .input(ListApprovalRequestsQuery.default({}))
    .query(({ ctx, input }) => ctx.services.approvals.list(ctx.auth, input)),
  get: readProcedure.input(IdParams).query(({ ctx, input }) => ctx.services.approvals.get(ctx.auth, input.id)),
  approve: writeProcedure
    .input(IdParams)
    .mutation(({ ctx, input }) => ctx.services.approvals.approve(ctx.auth, input.id)),
  reject: writeProcedure
    .input(IdParams.extend(RejectApprovalInput.shape))
    .mutation(({ ctx, input }) => ctx.services.approvals.reject(ctx.auth, input.id, input.reason)),
});
