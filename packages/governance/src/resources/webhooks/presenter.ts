import { type Webhook, type WebhookDelivery, WebhookEventType } from '@rungate/contracts';
import type { webhookDeliveries, webhooks } from '@rungate/db';
import { iso, isoRequired } from '../../time/dates.ts';
import { auditFields } from '../audit-columns.ts';
import { graceWindowOpen, MASKED_SECRET } from './secrets.ts';

export type WebhookRow = typeof webhooks.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;

const isEventType = (value: string): value is WebhookEventType => WebhookEventType.safeParse(value).success;

/**
 * The row as the API shows it: secrets masked (the plaintext is only ever in the create and
 * rotate answers), the previous secret only while its grace window is open.
 */
export function toWebhook(row: WebhookRow, now: Date): Webhook {
  const grace = graceWindowOpen(row, now);
  return {
    id: row.id,
    name: row.name,
    org_id: row.orgId,
    url: row.url,
    secret: MASKED_SECRET,
    previous_secret: grace ? MASKED_SECRET : null,
    previous_secret_expires_at: grace ? iso(row.previousSecretExpiresAt) : null,
    events: row.events.filter(isEventType),
    agent_id: row.agentId,
    status: row.status,
    failure_count: row.failureCount,
    description: row.description,
    scope: row.scope,
    ...auditFields(row),
  };
}

export function toWebhookDelivery(row: WebhookDeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    webhook_id: row.webhookId,
    // Rows are only ever written for subscribed (hence valid) types and `webhook.test`.
    event_type: row.eventType as WebhookEventType,
    event_id: row.eventId,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    max_attempts: row.maxAttempts,
    response_status: row.responseStatus,
    response_body: row.responseBody,
    next_retry_at: iso(row.nextRetryAt),
    created_at: isoRequired(row.createdAt),
    completed_at: iso(row.completedAt),
  };
}
