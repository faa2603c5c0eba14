import { type Database, events, webhookDeliveries, webhooks } from '@rungate/db';
import { and, asc, inArray, isNull } from 'drizzle-orm';
import { serializePayload } from '../../resources/webhooks/payload.ts';
import { DEFAULT_MAX_ATTEMPTS } from './retry-schedule.ts';

type EventRow = typeof events.$inferSelect;
type Subscriber = Pick<typeof webhooks.$inferSelect, 'id' | 'orgId' | 'events' | 'agentId'>;

/** An agent-scoped webhook hears only events about that agent; an unscoped one hears its whole org. */
const hears = (hook: Subscriber, event: EventRow) =>
  hook.orgId === event.orgId &&
  hook.events.includes(event.type) &&
  (hook.agentId === null || hook.agentId === event.agentId);

/**
 * Turns up to `limit` undispatched outbox events into one pending delivery per subscribed webhook
 * (active or failing) and marks them dispatched, all in one transaction. Events are claimed with
 * `FOR UPDATE SKIP LOCKED`, so engines on other instances take other events meanwhile. Returns
 * the number of events dispatched.
 */
export async function fanOutEvents(db: Database, now: Date, limit: number): Promise<number> {
  return db.transaction(async (tx) => {
    const batch = await tx
      .select()
      .from(events)
      .where(isNull(events.dispatchedAt))
      .orderBy(asc(events.createdAt), asc(events.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    if (batch.length === 0) return 0;
    const subscribers = await tx
      .select({ id: webhooks.id, orgId: webhooks.orgId, events: webhooks.events, agentId: webhooks.agentId })
      .from(webhooks)
      .where(
        and(
          inArray(webhooks.orgId, [...new Set(batch.map((event) => event.orgId))]),
          inArray(webhooks.status, ['active', 'failing']),
        ),
      );
    const deliveries = batch.flatMap((event) => {
      const payload = serializePayload({
        id: event.id,
        type: event.type,
        created_at: event.createdAt.toISOString(),
        org_id: event.orgId,
        data: event.data,
      });
      return subscribers
        .filter((hook) => hears(hook, event))
        .map((hook) => ({
          orgId: event.orgId,
          webhookId: hook.id,
          eventType: event.type,
          eventId: event.id,
          payload,
          maxAttempts: DEFAULT_MAX_ATTEMPTS,
          nextRetryAt: now,
          createdAt: now,
        }));
    });
    if (deliveries.length > 0) await tx.insert(webhookDeliveries).values(deliveries).onConflictDoNothing();
    await tx
      .update(events)
      .set({ dispatchedAt: now })
      .where(
        inArray(
          events.id,
          batch.map((event) => event.id),
        ),
      );
    return batch.length;
  });
}
