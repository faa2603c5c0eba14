import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, tstz } from './columns.ts';
import { tenantColumns } from './tenant.ts';

/**
 * Transactional outbox: domain events are inserted in the transaction that caused them, then a
 * worker fans each out to `webhook_deliveries` and sets `dispatched_at`.
 */
export const events = pgTable(
  'events',
  {
    id: id(),
    ...tenantColumns(),
    /** A `WebhookEventType`, e.g. `run.completed`. */
    type: text().notNull(),
    /** The agent concerned, if any: webhooks scoped to an agent receive only its events. */
    agentId: uuid(),
    /** The event's `data` object (the objects concerned, at least their ids). */
    data: jsonb().$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    dispatchedAt: tstz(),
  },
  (t) => [
    index('events_undispatched_idx').on(t.createdAt).where(sql`${t.dispatchedAt} is null`),
    index('events_org_id_created_at_idx').on(t.orgId, t.createdAt),
  ],
);
