import type { Visibility, WebhookDeliveryStatus, WebhookStatus } from '@rungate/contracts';
import { relations, sql } from 'drizzle-orm';
import { index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { agents } from './agents.ts';
import { auditColumns, createdAt, id, timestamps, tstz } from './columns.ts';
import { tenantColumns } from './tenant.ts';

export const webhooks = pgTable(
  'webhooks',
  {
    id: id(),
    ...tenantColumns(),
    name: text().notNull(),
    url: text().notNull(),
    /** AES-256-GCM ciphertext (same key as provider keys): the plaintext is needed to sign deliveries. */
    secretEncrypted: text().notNull(),
    /** Previous secret during a rotation grace window, encrypted likewise. */
    previousSecretEncrypted: text(),
    previousSecretExpiresAt: tstz(),
    /** Subscribed `WebhookEventType` values. */
    events: text().array().notNull(),
    /** Only fire for events involving this agent. */
    agentId: uuid().references(() => agents.id),
    status: text().$type<WebhookStatus>().notNull().default('active'),
    /** Consecutive delivery failures, reset on success. */
    failureCount: integer().notNull().default(0),
    description: text(),
    scope: text().$type<Visibility>().notNull().default('org'),
    ...auditColumns(),
    ...timestamps(),
  },
  (t) => [uniqueIndex('webhooks_org_id_name_uq').on(t.orgId, t.name)],
);

export const webhooksRelations = relations(webhooks, ({ one, many }) => ({
  account: one(accounts, { fields: [webhooks.orgId], references: [accounts.id] }),
  agent: one(agents, { fields: [webhooks.agentId], references: [agents.id] }),
  deliveries: many(webhookDeliveries),
}));

/** One event to one webhook; workers claim due rows with `FOR UPDATE SKIP LOCKED`. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: id(),
    ...tenantColumns(),
    webhookId: uuid()
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    eventType: text().notNull(),
    /** The payload's `id`; not a foreign key so test events need no `events` row. */
    eventId: uuid().notNull(),
    /** The exact JSON body sent (and signed). */
    payload: text().notNull(),
    status: text().$type<WebhookDeliveryStatus>().notNull().default('pending'),
    attempts: integer().notNull().default(0),
    maxAttempts: integer().notNull(),
    responseStatus: integer(),
    /** Truncated to 4 KB. */
    responseBody: text(),
    lastError: text(),
    nextRetryAt: tstz(),
    createdAt: createdAt(),
    completedAt: tstz(),
  },
  (t) => [
    index('webhook_deliveries_due_idx').on(t.status, t.nextRetryAt).where(sql`${t.status} = 'pending'`),
    index('webhook_deliveries_webhook_id_created_at_idx').on(t.webhookId, t.createdAt),
    uniqueIndex('webhook_deliveries_webhook_id_event_id_uq').on(t.webhookId, t.eventId),
  ],
);

export const webhookDeliveriesRelations = relations(webhookDeliveries, ({ one }) => ({
  webhook: one(webhooks, { fields: [webhookDeliveries.webhookId], references: [webhooks.id] }),
}));
