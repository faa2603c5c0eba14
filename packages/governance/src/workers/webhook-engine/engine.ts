import { type Database, returnedRow, webhookDeliveries, webhooks } from '@rungate/db';
import { eq, inArray } from 'drizzle-orm';
import { graceWindowOpen } from '../../resources/webhooks/secrets.ts';
import { createSender, type SendResult } from '../../resources/webhooks/send.ts';
import { deliveryHeaders } from '../../resources/webhooks/signature.ts';
import type { SecretBox } from '../../secrets/crypto.ts';
import type { Clock } from '../../time/clock.ts';
import { claimDueDeliveries, type DeliveryRow, failAbandonedDeliveries } from './claims.ts';
import { fanOutEvents } from './fan-out.ts';
import { recordAttempt } from './outcome.ts';

type WebhookRow = typeof webhooks.$inferSelect;

export interface WebhookEngineOptions {
  db: Database;
  clock: Clock;
  secretBox: SecretBox;
  /** Per attempt, connection to last body byte. Default 10 s. */
  timeoutMs?: number;
  /** How long a claimed attempt is reserved before another engine may retry it. Default 2 min. */
  leaseMs?: number;
  /** Events fanned out and deliveries claimed per round. Default 50 and 20. */
  eventBatch?: number;
  deliveryBatch?: number;
  /** Refuse receivers at loopback, private and link-local addresses. */
  blockPrivateAddresses?: boolean;
  /** Jitter source in [0, 1); tests pin it. */
  random?: () => number;
}

/** A one-off delivery that bypasses subscriptions and retries (`POST /api/webhooks/{id}/test`). */
export interface OneOffDelivery {
  orgId: string;
  webhookId: string;
  eventType: string;
  eventId: string;
  payload: string;
}

export interface WebhookEngine {
  /** Fans out pending events, then attempts every due delivery; returns how many of each. */
  runOnce(): Promise<{ dispatched: number; attempted: number }>;
  /** Inserts a delivery already claimed by this engine, with one attempt, and makes it now. */
  deliverOnce(delivery: OneOffDelivery): Promise<{ deliveryId: string; result: SendResult }>;
  /** Ends the current round early, waits for work under way, then closes the connection pool. */
  close(): Promise<void>;
}

export function createWebhookEngine(options: WebhookEngineOptions): WebhookEngine {
  const { db, clock, secretBox } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = Math.max(options.leaseMs ?? 120_000, timeoutMs * 2);
  const eventBatch = options.eventBatch ?? 50;
  const deliveryBatch = options.deliveryBatch ?? 20;
  const random = options.random ?? Math.random;
  const sender = createSender({ timeoutMs, blockPrivateAddresses: options.blockPrivateAddresses ?? false });
  let closed = false;
  /** Rounds and one-off deliveries under way; closing waits for them before closing the pool. */
  const busy = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>): Promise<T> => {
    busy.add(work);
    void work.finally(() => busy.delete(work)).catch(() => undefined);
    return work;
  };

  /**
   * The current secret and, during a rotation's grace window, the previous one; null when they do
   * not decrypt (the encryption key changed), which the attempt records as its error.
   */
  function signingSecrets(hook: WebhookRow, at: Date): { secret: string; previousSecret: string | null } | null {
    try {
      return {
        secret: secretBox.decrypt(hook.secretEncrypted),
        previousSecret:
          graceWindowOpen(hook, at) && hook.previousSecretEncrypted
            ? secretBox.decrypt(hook.previousSecretEncrypted)
            : null,
      };
    } catch {
      return null;
    }
  }

  async function attempt(delivery: DeliveryRow, hook: WebhookRow | undefined): Promise<SendResult> {
    // Deleted meanwhile: its deliveries went with it.
    if (!hook) return { ok: false, status: null, body: null, error: 'Webhook deleted' };
    const sentAt = clock.now();
    const secrets = signingSecrets(hook, sentAt);
    const result: SendResult = secrets
      ? await sender.post(
          hook.url,
          deliveryHeaders({
            body: delivery.payload,
            eventType: delivery.eventType,
            eventId: delivery.eventId,
            deliveryId: delivery.id,
            ...secrets,
            sentAt,
          }),
          delivery.payload,
        )
      : {
          ok: false,
          status: null,
          body: null,
          error:
            'The webhook secret cannot be decrypted (was RUNGATE_ENCRYPTION_KEY changed?); set a new secret with PUT',
        };
    await recordAttempt(db, delivery, result, clock.now(), random);
    return result;
  }

  /** Attempts each claimed delivery concurrently; one failing to record does not stop the others. */
  async function deliverClaimed(claimed: DeliveryRow[]): Promise<void> {
    const hooks = await db
      .select()
      .from(webhooks)
      .where(inArray(webhooks.id, [...new Set(claimed.map((d) => d.webhookId))]));
    const settled = await Promise.allSettled(
      claimed.map((delivery) =>
        attempt(
          delivery,
          hooks.find((hook) => hook.id === delivery.webhookId),
        ),
      ),
    );
    const failure = settled.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
  }

  async function runOnce() {
    let dispatched = 0;
    while (!closed) {
      const count = await fanOutEvents(db, clock.now(), eventBatch);
      dispatched += count;
      if (count < eventBatch) break;
    }
    await failAbandonedDeliveries(db, clock.now());
    let attempted = 0;
    while (!closed) {
      const claimed = await claimDueDeliveries(db, clock.now(), deliveryBatch, leaseMs);
      if (claimed.length > 0) await deliverClaimed(claimed);
      attempted += claimed.length;
      if (claimed.length < deliveryBatch) break;
    }
    return { dispatched, attempted };
  }

  async function deliverOnce(oneOff: OneOffDelivery) {
    const now = clock.now();
    const delivery = returnedRow(
      await db
        .insert(webhookDeliveries)
        .values({
          ...oneOff,
          maxAttempts: 1,
          attempts: 1,
          nextRetryAt: new Date(now.getTime() + leaseMs),
          createdAt: now,
        })
        .returning(),
    );
    const [hook] = await db.select().from(webhooks).where(eq(webhooks.id, oneOff.webhookId));
    return { deliveryId: delivery.id, result: await attempt(delivery, hook) };
  }

  return {
    runOnce: () => track(runOnce()),
    deliverOnce: (oneOff) => track(deliverOnce(oneOff)),
    async close() {
      closed = true;
      await Promise.allSettled([...busy]);
      await sender.close();
    },
  };
}
