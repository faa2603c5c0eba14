import type {
  CreateWebhookInput,
  ListWebhookDeliveriesQuery,
  UpdateWebhookInput,
  Webhook,
  WebhookDelivery,
  WebhookEventType,
  WebhookStatus,
} from '@rungate/contracts';
import { returnedRow, webhookDeliveries, webhooks } from '@rungate/db';
import { and, arrayContains, count, desc, eq } from 'drizzle-orm';
import { type AuthContext, auditIdentity } from '../../auth/context.ts';
import type { ServiceDeps } from '../../deps.ts';
import { AppError, conflict, notFound } from '../../errors.ts';
import type { WebhookEngineSlot } from '../../workers/webhook-engine/engine-slot.ts';
import { createdBy } from '../audit-columns.ts';
import { isUniqueViolation } from '../pg-errors.ts';
import { toWebhook, toWebhookDelivery, type WebhookRow } from './presenter.ts';
import { generateWebhookSecret, ROTATION_GRACE_MS } from './secrets.ts';
import { describeTestOutcome, testEvent } from './test-event.ts';
import { assertValidWebhook } from './validation.ts';
import { creationScope, visibleWebhooks } from './visibility.ts';

export interface WebhookServiceOptions {
  /** The engine running in this process, if any (test deliveries need one). */
  engine: WebhookEngineSlot;
  /** Refuse receiver URLs at loopback, private and link-local addresses. */
  blockPrivateAddresses: boolean;
}

const nameTaken = (name: string) => conflict(`A webhook named '${name}' already exists`);

export function createWebhookService({ db, clock, secretBox }: ServiceDeps, options: WebhookServiceOptions) {
  const present = (row: WebhookRow) => toWebhook(row, clock.now());

  const audit = (ctx: AuthContext) => {
    const who = auditIdentity(ctx.actor);
    return { updatedBy: who.by, updatedByTokenId: who.tokenId, updatedAt: clock.now() };
  };

  async function load(ctx: AuthContext, id: string): Promise<WebhookRow> {
    const [row] = await db
      .select()
      .from(webhooks)
      .where(and(eq(webhooks.id, id), eq(webhooks.orgId, ctx.orgId), visibleWebhooks(ctx)));
    if (!row) throw notFound('Webhook');
    return row;
  }

  /** Writes `changes` to a webhook the caller can see; a taken name is 409. */
  async function change(
    ctx: AuthContext,
    current: WebhookRow,
    changes: Partial<typeof webhooks.$inferInsert>,
    name?: string,
  ): Promise<WebhookRow> {
    try {
      const [row] = await db
        .update(webhooks)
        .set({ ...changes, ...audit(ctx) })
        .where(and(eq(webhooks.id, current.id), eq(webhooks.orgId, ctx.orgId)))
        .returning();
      if (!row) throw notFound('Webhook');
      return row;
    } catch (error) {
      if (isUniqueViolation(error)) throw nameTaken(name ?? current.name);
      throw error;
    }
  }

  return {
    /** The only answer with the plaintext secret (given or generated `whsec_...`). */
    async create(ctx: AuthContext, input: CreateWebhookInput): Promise<Webhook> {
      await assertValidWebhook(db, ctx.orgId, input, options.blockPrivateAddresses);
      const scope = creationScope(ctx.actor, input.scope);
      const secret = input.secret ?? generateWebhookSecret();
      const who = auditIdentity(ctx.actor);
      const now = clock.now();
      try {
        const row = returnedRow(
          await db
            .insert(webhooks)
            .values({
              orgId: ctx.orgId,
              name: input.name,
              url: input.url,
              secretEncrypted: secretBox.encrypt(secret),
              events: [...new Set(input.events)],
              agentId: input.agent_id ?? null,
              description: input.description ?? null,
              scope,
              ...createdBy(who, now),
            })
            .returning(),
        );
        return { ...present(row), secret };
      } catch (error) {
        if (isUniqueViolation(error)) throw nameTaken(input.name);
        throw error;
      }
    },

    async list(
      ctx: AuthContext,
      filter: { status?: WebhookStatus | undefined; event?: WebhookEventType | undefined },
    ): Promise<Webhook[]> {
      const rows = await db
        .select()
        .from(webhooks)
        .where(
          and(
            eq(webhooks.orgId, ctx.orgId),
            visibleWebhooks(ctx),
            filter.status ? eq(webhooks.status, filter.status) : undefined,
            filter.event ? arrayContains(webhooks.events, [filter.event]) : undefined,
          ),
        )
        .orderBy(desc(webhooks.createdAt), desc(webhooks.id));
      return rows.map(present);
    },

    async get(ctx: AuthContext, id: string): Promise<Webhook> {
      return present(await load(ctx, id));
    },

    /**
     * Changes only the fields sent; `events` replaces the list. A new `secret` takes effect at
     * once and ends any rotation grace window; `status: active` is an enable (failure count reset).
     */
    async update(ctx: AuthContext, id: string, input: UpdateWebhookInput): Promise<Webhook> {
      const current = await load(ctx, id);
      await assertValidWebhook(db, ctx.orgId, input, options.blockPrivateAddresses);
      const row = await change(
        ctx,
        current,
        {
          ...(input.name !== undefined ? { name: input.name } : {}),
          ...(input.url !== undefined ? { url: input.url } : {}),
          ...(input.events !== undefined ? { events: [...new Set(input.events)] } : {}),
          ...(input.agent_id !== undefined ? { agentId: input.agent_id } : {}),
          ...(input.description !== undefined ? { description: input.description } : {}),
          ...(input.secret !== undefined
            ? {
                secretEncrypted: secretBox.encrypt(input.secret),
                previousSecretEncrypted: null,
                previousSecretExpiresAt: null,
              }
            : {}),
          ...(input.status === 'active'
            ? { status: 'active', failureCount: 0 }
            : input.status === 'paused'
              ? { status: 'paused' }
              : {}),
        },
        input.name,
      );
      return present(row);
    },

    async delete(ctx: AuthContext, id: string): Promise<{ message: string }> {
      const current = await load(ctx, id);
      await db.delete(webhooks).where(and(eq(webhooks.id, current.id), eq(webhooks.orgId, ctx.orgId)));
      return { message: 'Webhook deleted' };
    },

    /** Idempotent; an enabled webhook starts again from a clean failure count. */
    async enable(ctx: AuthContext, id: string): Promise<Webhook> {
      return present(await change(ctx, await load(ctx, id), { status: 'active', failureCount: 0 }));
    },

    /** Idempotent; the sweep fails the pending deliveries of paused webhooks. */
    async disable(ctx: AuthContext, id: string): Promise<Webhook> {
      return present(await change(ctx, await load(ctx, id), { status: 'paused' }));
    },

    /** New secret now; the old one keeps signing `X-Rungate-Signature-256-Previous` for 10 minutes. */
    async rotateSecret(
      ctx: AuthContext,
      id: string,
    ): Promise<{ previous_secret: string; current_secret: string; grace_expires_at: string }> {
      const current = await load(ctx, id);
      const previous = secretBox.decrypt(current.secretEncrypted);
      const next = generateWebhookSecret();
      const graceExpiresAt = new Date(clock.now().getTime() + ROTATION_GRACE_MS);
      await change(ctx, current, {
        secretEncrypted: secretBox.encrypt(next),
        previousSecretEncrypted: current.secretEncrypted,
        previousSecretExpiresAt: graceExpiresAt,
      });
      return { previous_secret: previous, current_secret: next, grace_expires_at: graceExpiresAt.toISOString() };
    },

    /** Ends a rotation grace window now; a no-op without one. */
    async expirePreviousSecret(ctx: AuthContext, id: string): Promise<Webhook> {
      return present(
        await change(ctx, await load(ctx, id), { previousSecretEncrypted: null, previousSecretExpiresAt: null }),
      );
    },

    async listDeliveries(
      ctx: AuthContext,
      id: string,
      query: ListWebhookDeliveriesQuery,
    ): Promise<{ data: WebhookDelivery[]; total: number }> {
      const hook = await load(ctx, id);
      const where = and(
        eq(webhookDeliveries.webhookId, hook.id),
        eq(webhookDeliveries.orgId, ctx.orgId),
        query.status ? eq(webhookDeliveries.status, query.status) : undefined,
        query.event_type ? eq(webhookDeliveries.eventType, query.event_type) : undefined,
      );
      const [rows, [total]] = await Promise.all([
        db
          .select()
          .from(webhookDeliveries)
          .where(where)
          .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
          .limit(query.limit)
          .offset(query.offset),
        db.select({ n: count() }).from(webhookDeliveries).where(where),
      ]);
      return { data: rows.map(toWebhookDelivery), total: total?.n ?? 0 };
    },

    /**
     * Sends one `webhook.test` event now, whatever the subscription and status, with a single
     * attempt; answers once the receiver has answered (or the attempt timed out).
     */
    async test(ctx: AuthContext, id: string): Promise<{ message: string; delivery_id: string; warning?: string }> {
      const hook = await load(ctx, id);
      const engine = options.engine.current;
      if (!engine)
        throw new AppError('service_unavailable', 'The webhook delivery engine is not running on this server');
      const { deliveryId, result } = await engine.deliverOnce({
        orgId: ctx.orgId,
        webhookId: hook.id,
        eventType: 'webhook.test',
        ...testEvent(hook, clock.now()),
      });
      return { ...describeTestOutcome(hook, result), delivery_id: deliveryId };
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
