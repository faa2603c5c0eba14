import { type Executor, queryRows } from '@rungate/db';
import { sql } from 'drizzle-orm';

export const PAUSED_DELIVERY_BATCH = 1_000;

/**
 * Fails the pending deliveries of paused webhooks (the spec's "retry sweep"): a paused webhook
 * drops what it had queued instead of flooding its receiver when it is enabled again. Returns how
 * many deliveries it failed; call again while it returns a full batch.
 */
export async function failPausedWebhookDeliveries(db: Executor, now: Date): Promise<number> {
  const failed = await queryRows<{ id: string }>(
    db,
    sql`UPDATE webhook_deliveries SET status = 'failed', completed_at = ${now}::timestamptz, next_retry_at = NULL,
               last_error = 'Webhook paused before this delivery succeeded'
        WHERE id IN (
          SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
          WHERE d.status = 'pending' AND w.status = 'paused'
          LIMIT ${PAUSED_DELIVERY_BATCH}
          FOR UPDATE OF d SKIP LOCKED)
        RETURNING id`,
  );
  return failed.length;
}
