import {
  CreateWebhookInput,
  IdParams,
  ListWebhookDeliveriesQuery,
  ListWebhooksQuery,
  UpdateWebhookInput,
} from '@rungate/contracts';
import { readProcedure, router, writeProcedure } from '../init.ts';

export const webhooksRouter = router({
  list: readProcedure
    .input(ListWebhooksQuery.default({}))
    .query(({ ctx, input }) => ctx.services.webhooks.list(ctx.auth, input)),
  get: readProcedure.input(IdParams).query(({ ctx, input }) => ctx.services.webhooks.get(ctx.auth, input.id)),
  deliveries: readProcedure
    .input(IdParams.extend(ListWebhookDeliveriesQuery.shape))
    .query(({ ctx, input: { id, ...query } }) => ctx.services.webhooks.listDeliveries(ctx.auth, id, query)),
  create: writeProcedure
    .input(CreateWebhookInput)
    .mutation(({ ctx, input }) => ctx.services.webhooks.create(ctx.auth, input)),
  update: writeProcedure
    .input(IdParams.extend(UpdateWebhookInput.shape))
    .mutation(({ ctx, input: { id, ...changes } }) => ctx.services.webhooks.update(ctx.auth, id, changes)),
  delete: writeProcedure.input(IdParams).mutation(({ ctx, input }) => ctx.services.webhooks.delete(ctx.auth, input.id)),
  enable: writeProcedure.input(IdParams).mutation(({ ctx, input }) => ctx.services.webhooks.enable(ctx.auth, input.id)),
  disable: writeProcedure
    .input(IdParams)
    .mutation(({ ctx, input }) => ctx.services.webhooks.disable(ctx.auth, input.id)),
  rotateSecret: writeProcedure
    .input(IdParams)
    .mutation(({ ctx, input }) => ctx.services.webhooks.rotateSecret(ctx.auth, input.id)),
  expirePreviousSecret: writeProcedure
    .input(IdParams)
    .mutation(({ ctx, input }) => ctx.services.webhooks.expirePreviousSecret(ctx.auth, input.id)),
  test: writeProcedure.input(IdParams).mutation(({ ctx, input }) => ctx.services.webhooks.test(ctx.auth, input.id)),
});
