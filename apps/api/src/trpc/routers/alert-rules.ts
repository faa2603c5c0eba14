import { CreateAlertRuleInput, IdParams, ListAlertRulesQuery, UpdateAlertRuleInput, Uuid } from '@rungate/contracts';
import { readProcedure, router, writeProcedure } from '../init.ts';

export const alertRulesRouter = router({
  list: readProcedure
    .input(ListAlertRulesQuery.default({}))
    .query(({ ctx, input }) => ctx.services.alertRules.list(ctx.auth, input)),
  get: readProcedure.input(IdParams).query(({ ctx, input }) => ctx.services.alertRules.get(ctx.auth, input.id)),
  create: writeProcedure
    .input(CreateAlertRuleInput)
    .mutation(({ ctx, input }) => ctx.services.alertRules.create(ctx.auth, input)),
  update: writeProcedure
    .input(UpdateAlertRuleInput.extend({ id: Uuid }))
    .mutation(({ ctx, input: { id, ...patch } }) => ctx.services.alertRules.update(ctx.auth, id, patch)),
  delete: writeProcedure
    .input(IdParams)
    .mutation(({ ctx, input }) => ctx.services.alertRules.delete(ctx.auth, input.id)),
  enable: writeProcedure
    .input(IdParams)
    .mutation(({ ctx, input }) => ctx.services.alertRules.enable(ctx.auth, input.id)),
  disable: writeProcedure
    .input(IdParams)
    .mutation(({ ctx, input }) => ctx.services.alertRules.disable(ctx.auth, input.id)),
});
