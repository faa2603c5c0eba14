import { type Database, webhookDeliveries, webhooks } from '@rungate/db';
import { type AnyColumn, and, eq, type SQL, sql } from 'drizzle-orm';
import type { SendResult } from '../../resources/webhooks/send.ts';
import type { DeliveryRow } from './claims.ts';
import { FAILING_THRESHOLD, retryDelayMs } from './retry-schedule.ts';

/** A failed attempt schedules the row only while it is pending: the paused sweep may have failed it meanwhile. */
const whilePending = (value: SQL, otherwise: AnyColumn) =>
  sql`CASE WHEN ${webhookDeliveries.status} = 'pending' THEN ${value} ELSE ${otherwise} END`;

/** Health changes come from deliveries, not from an operator: they leave `updated_at` alone. */
const keepUpdatedAt = { updatedAt: sql`${webhooks.updatedAt}` };

/**
 * Records one attempt and the webhook's health, in one transaction. Only the engine that claimed
 * this attempt may record it (`attempts` still matches); a success also lands on a row the paused
 * sweep failed meanwhile, since the receiver did get it. A success resets `failure_count` and
 * brings a failing webhook back to active; a failure counts one more, and at `FAILING_THRESHOLD`
 * consecutive failures an active webhook becomes failing.
 */
export async function recordAttempt(
  db: Database,
  delivery: DeliveryRow,
  result: SendResult,
  now: Date,
  random: () => number,
): Promise<DeliveryRow | null> {
  const final = result.ok || delivery.attempts >= delivery.maxAttempts;
  const nextRetryAt = final ? null : new Date(now.getTime() + retryDelayMs(delivery.attempts, random));
  return db.transaction(async (tx) => {
    const [recorded] = await tx
      .update(webhookDeliveries)
      .set({
        responseStatus: result.status,
        responseBody: result.body,
        lastError: result.error,
        ...(result.ok
          ? { status: 'success', completedAt: now, nextRetryAt: null }
          : {
              status: whilePending(sql`${final ? 'failed' : 'pending'}`, webhookDeliveries.status),
              completedAt: whilePending(sql`${final ? now : null}::timestamptz`, webhookDeliveries.completedAt),
              nextRetryAt: whilePending(sql`${nextRetryAt}::timestamptz`, webhookDeliveries.nextRetryAt),
            }),
      })
      .where(and(eq(webhookDeliveries.id, delivery.id), eq(webhookDeliveries.attempts, delivery.attempts)))
      .returning();
    if (!recorded) return null;
    await tx
      .update(webhooks)
      .set(
        result.ok
          ? {
              failureCount: 0,
              status: sql`CASE WHEN ${webhooks.status} = 'failing' THEN 'active' ELSE ${webhooks.status} END`,
              ...keepUpdatedAt,
            }
          : {
              failureCount: sql`${webhooks.failureCount} + 1`,
              status: sql`CASE WHEN ${webhooks.status} = 'active' AND ${webhooks.failureCount} + 1 >= ${FAILING_THRESHOLD} THEN 'failing' ELSE ${webhooks.status} END`,
              ...keepUpdatedAt,
            },
      )
      .where(eq(webhooks.id, delivery.webhookId));
    return recorded;
  });
}
