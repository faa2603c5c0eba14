import {
  IdParams,
  ListWebhookDeliveriesQuery,
  ListWebhooksQuery,
  Visibility,
  type Webhook,
  type WebhookDelivery,
  WebhookDeliveryStatus,
  WebhookStatus,
} from '@rungate/contracts';
import { parseArgs } from '../args.ts';
import { builder } from '../builder.ts';

const WebhookStatusEnum = builder.enumType('WebhookStatus', { values: WebhookStatus.options });
const WebhookScopeEnum = builder.enumType('WebhookScope', { values: Visibility.options });
const WebhookDeliveryStatusEnum = builder.enumType('WebhookDeliveryStatus', { values: WebhookDeliveryStatus.options });

export const WebhookRef = builder.objectRef<Webhook>('Webhook').implement({
  description: 'An event subscription; secrets are only ever shown masked here',
  fields: (t) => ({
    id: t.exposeID('id'),
    org_id: t.string({ nullable: true, resolve: (w) => w.org_id ?? null }),
    name: t.exposeString('name'),
    url: t.exposeString('url'),
    secret: t.exposeString('secret', { description: 'Masked' }),
    previous_secret: t.string({
      nullable: true,
      description: 'Masked; set during a rotation grace window',
      resolve: (w) => w.previous_secret ?? null,
    }),
    previous_secret_expires_at: t.field({
      type: 'DateTime',
      nullable: true,
      resolve: (w) => w.previous_secret_expires_at ?? null,
    }),
    // Event types contain dots, which GraphQL enum values cannot.
    events: t.stringList({
      description: 'Subscribed WebhookEventType values, e.g. run.completed',
      resolve: (w) => w.events,
    }),
    agent_id: t.id({ nullable: true, description: 'Only events about this agent', resolve: (w) => w.agent_id ?? null }),
    status: t.field({ type: WebhookStatusEnum, resolve: (w) => w.status }),
    failure_count: t.exposeInt('failure_count'),
    description: t.string({ nullable: true, resolve: (w) => w.description ?? null }),
    scope: t.field({ type: WebhookScopeEnum, nullable: true, resolve: (w) => w.scope ?? null }),
    member_id: t.string({ nullable: true, resolve: (w) => w.member_id ?? null }),
    created_by: t.string({ nullable: true, resolve: (w) => w.created_by ?? null }),
    updated_by: t.string({ nullable: true, resolve: (w) => w.updated_by ?? null }),
    created_by_token_id: t.string({ nullable: true, resolve: (w) => w.created_by_token_id ?? null }),
    updated_by_token_id: t.string({ nullable: true, resolve: (w) => w.updated_by_token_id ?? null }),
    created_at: t.field({ type: 'DateTime', resolve: (w) => w.created_at }),
    updated_at: t.field({ type: 'DateTime', resolve: (w) => w.updated_at }),
  }),
});

const WebhookDeliveryRef = builder.objectRef<WebhookDelivery>('WebhookDelivery').implement({
  description: 'One event sent (or to be sent) to one webhook',
  fields: (t) => ({
    id: t.exposeID('id'),
    webhook_id: t.exposeID('webhook_id'),
    event_type: t.exposeString('event_type'),
    event_id: t.exposeID('event_id'),
    payload: t.exposeString('payload', { description: 'The JSON body as signed and sent' }),
    status: t.field({ type: WebhookDeliveryStatusEnum, resolve: (d) => d.status }),
    attempts: t.exposeInt('attempts'),
    max_attempts: t.exposeInt('max_attempts'),
    response_status: t.int({ nullable: true, resolve: (d) => d.response_status ?? null }),
    response_body: t.string({
      nullable: true,
      description: 'First 4 KB of the receiver answer',
      resolve: (d) => d.response_body ?? null,
    }),
    next_retry_at: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.next_retry_at ?? null }),
    created_at: t.field({ type: 'DateTime', resolve: (d) => d.created_at }),
    completed_at: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.completed_at ?? null }),
  }),
});

const WebhookDeliveryPageRef = builder
  .objectRef<{ data: WebhookDelivery[]; total: number }>('WebhookDeliveryPage')
  .implement({
    fields: (t) => ({
      data: t.field({ type: [WebhookDeliveryRef], resolve: (page) => page.data }),
      total: t.exposeInt('total'),
    }),
  });

builder.queryFields((t) => ({
  webhooks: t.field({
    type: [WebhookRef],
    args: {
      status: t.arg({ type: WebhookStatusEnum }),
      event: t.arg.string({ description: 'Only webhooks subscribed to this event type' }),
    },
    resolve: (_root, args, { services, auth }) =>
      services.webhooks.list(
        auth,
        parseArgs(ListWebhooksQuery, { status: args.status ?? undefined, event: args.event ?? undefined }),
      ),
  }),
  webhook: t.field({
    type: WebhookRef,
    args: { id: t.arg.id({ required: true }) },
    resolve: (_root, args, { services, auth }) =>
      services.webhooks.get(auth, parseArgs(IdParams, { id: String(args.id) }).id),
  }),
  webhookDeliveries: t.field({
    type: WebhookDeliveryPageRef,
    args: {
      webhook_id: t.arg.id({ required: true }),
      status: t.arg({ type: WebhookDeliveryStatusEnum }),
      event_type: t.arg.string(),
      limit: t.arg.int(),
      offset: t.arg.int(),
    },
    resolve: (_root, args, { services, auth }) => {
      const { id } = parseArgs(IdParams, { id: String(args.webhook_id) });
      const query = parseArgs(ListWebhookDeliveriesQuery, {
        status: args.status ?? undefined,
        event_type: args.event_type ?? undefined,
        limit: args.limit ?? undefined,
        offset: args.offset ?? undefined,
      });
      return services.webhooks.listDeliveries(auth, id, query);
    },
  }),
}));
