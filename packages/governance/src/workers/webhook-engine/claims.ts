import { type Database, type Executor, queryRows, webhookDeliveries } from '@rungate/db';
import { and, eq, gte, inArray, lte, sql } from 'drizzle-orm';

export type DeliveryRow = typeof webhookDeliveries.$inferSelect;

/**
 * Claims up to `limit` due pending deliveries of webhooks that are not paused: each claim counts
 * an attempt and pushes `next_retry_at` out by `leaseMs`, in one statement. Rows locked by another
 * engine are skipped, and a claimed row is no longer due, so no two engines send the same attempt;
 * if this process dies mid-attempt the lease runs out and another engine retries the row.
 */
export async function claimDueDeliveries(
  db: Database,
  now: Date,
  limit: number,
  leaseMs: number,
): Promise<DeliveryRow[]> {
  const claimed = await queryRows<{ id: string }>(
    db,
    sql`WITH due AS (
          SELECT d.id FROM webhook_deliveries d
          JOIN webhooks w ON w.id = d.webhook_id
          WHERE d.status = 'pending' AND d.next_retry_at <= ${now}::timestamptz
            AND d.attempts < d.max_attempts AND w.status <> 'paused'
          ORDER BY d.next_retry_at
          LIMIT ${limit}
          FOR UPDATE OF d SKIP LOCKED)
        UPDATE webhook_deliveries SET attempts = attempts + 1, next_retry_at = ${new Date(now.getTime() + leaseMs)}::timestamptz
        FROM due WHERE webhook_deliveries.id = due.id
        RETURNING webhook_deliveries.id`,
  );
  if (claimed.length === 0) return [];
  return db
    .select()
    .from(webhookDeliveries)
    .where(
      inArray(
        webhookDeliveries.id,
        claimed.map((row) => row.id),
      ),
    );
}

/**
 * Fails pending deliveries whose last attempt was claimed but never recorded (the process died
 * during it) once its lease has run out and no attempt is left.
 */
export async function failAbandonedDeliveries(db: Executor, now: Date): Promise<number> {
  const failed = await db
    .update(webhookDeliveries)
    .set({
      status: 'failed',
      completedAt: now,
      nextRetryAt: null,
      lastError: 'The last attempt was interrupted before its outcome was recorded',
    })
    .where(
      and(
        eq(webhookDeliveries.status, 'pending'),
        gte(webhookDeliveries.attempts, webhookDeliveries.maxAttempts),
        lte(webhookDeliveries.nextRetryAt, now),
      ),
    )
    .returning({ id: webhookDeliveries.id });
  return failed.length;
}
