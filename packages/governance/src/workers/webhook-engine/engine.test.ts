import { createHmac, randomBytes } from 'node:crypto';
import type { CreateWebhookInput } from '@rungate/contracts';
import { agents, createDatabase, type Database, events, webhookDeliveries, webhooks } from '@rungate/db';
import { createTestDatabase, type TestDatabase } from '@rungate/db/testing';
import { asc, eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seedRun } from '../../../test/fixtures.ts';
import type { AuthContext } from '../../auth/context.ts';
import { recordEvent } from '../../events/outbox.ts';
import { SecretBox } from '../../secrets/crypto.ts';
import { createServices, type Services } from '../../services.ts';
import { type ReceivedRequest, startWebhookReceiver } from '../../testing.ts';
import { ManualClock } from '../../time/clock.ts';
import { sweepOnce } from '../sweeps.ts';
import { claimDueDeliveries } from './claims.ts';
import { createWebhookEngine, type WebhookEngineOptions } from './engine.ts';
import { startWebhookEngine } from './engine-loop.ts';
import { fanOutEvents } from './fan-out.ts';
import { failPausedWebhookDeliveries } from './paused-sweep.ts';
import { DEFAULT_MAX_ATTEMPTS, FAILING_THRESHOLD } from './retry-schedule.ts';

let database: TestDatabase;
let db: Database;
let services: Services;
const clock = new ManualClock(new Date('2026-03-01T09:00:00Z'));
const opened: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  services = createServices({ db, encryptionKey: randomBytes(32), clock });
});
afterEach(async () => {
  // Last opened first: engines stop before the pool they use closes.
  for (const thing of opened.splice(0).reverse()) await thing.close();
  // Later tests must not retry this test's deliveries against its closed receiver.
  await db.update(webhooks).set({ status: 'paused' });
});
afterAll(() => database.close());

/** A new org with one agent, a receiver and an engine that retries on the exact schedule. */
async function setup(engineOptions: Partial<WebhookEngineOptions> = {}) {
  const seeded = await seedRun(db);
  const ctx: AuthContext = { orgId: seeded.orgId, actor: { kind: 'bootstrap' } };
  const receiver = await startWebhookReceiver();
  const engine = createWebhookEngine({
    db,
    clock,
    secretBox: services.deps.secretBox,
    random: () => 0.5,
    timeoutMs: 2_000,
    ...engineOptions,
  });
  opened.push(receiver, engine);
  const hook = (input: Partial<CreateWebhookInput> = {}) =>
    services.webhooks.create(ctx, {
      name: `hook-${randomBytes(4).toString('hex')}`,
      url: receiver.url,
      events: ['run.completed'],
      ...input,
    });
  const seen = new Set<string>();
  /** Records an event the way services do and returns its row. */
  const emit = async (
    type: 'run.completed' | 'run.started' = 'run.completed',
    agentId: string | null = seeded.agentId,
  ) => {
    await recordEvent(db, { orgId: seeded.orgId, agentId, type, data: { run: { id: seeded.runId } } }, clock.now());
    const [event] = (await db.select().from(events).where(eq(events.orgId, seeded.orgId))).filter(
      (row) => !seen.has(row.id),
    );
    seen.add(event!.id);
    return event!;
  };
  return { ...seeded, ctx, receiver, engine, hook, emit };
}

const deliveriesOf = (webhookId: string) =>
  db
    .select()
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.webhookId, webhookId))
    .orderBy(asc(webhookDeliveries.createdAt), asc(webhookDeliveries.id));
const webhookRow = async (id: string) => (await db.select().from(webhooks).where(eq(webhooks.id, id)))[0]!;
const signature = (body: string, secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const seconds = (s: number) => s * 1_000;

describe('fan-out', () => {
  it('sends each event to the webhooks subscribed to it, as the signed JSON payload', async () => {
    const { engine, hook, emit, receiver, orgId } = await setup();
    const webhook = await hook({ secret: 'topsecret-0123456789' });
    await hook({ events: ['run.started'] });
    const event = await emit();

    expect(await engine.runOnce()).toMatchObject({ attempted: 1 });
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received as [ReceivedRequest];
    expect(JSON.parse(request.body)).toEqual({
      id: event.id,
      type: 'run.completed',
      created_at: event.createdAt.toISOString(),
      org_id: orgId,
      data: event.data,
    });
    const [delivery] = await deliveriesOf(webhook.id);
    expect(request.body).toBe(delivery!.payload);
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'x-rungate-event': 'run.completed',
      'x-rungate-event-id': event.id,
      'x-rungate-delivery-id': delivery!.id,
      'x-rungate-timestamp': String(clock.now().getTime() / 1000),
      'x-rungate-signature-256': signature(request.body, 'topsecret-0123456789'),
    });
    expect(request.headers).not.toHaveProperty('x-rungate-signature-256-previous');
    expect(delivery).toMatchObject({
      status: 'success',
      attempts: 1,
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      responseStatus: 200,
      responseBody: 'ok',
      lastError: null,
    });
    expect((await db.select().from(events).where(eq(events.id, event.id)))[0]!.dispatchedAt).toEqual(clock.now());
  });

  it("gives an agent-scoped webhook only that agent's events", async () => {
    const { engine, hook, emit, receiver, orgId, policyId } = await setup();
    const [other] = await db
      .insert(agents)
      .values({ orgId, name: 'other', apiKeyHash: randomBytes(8).toString('hex'), apiKeyPrefix: 'rg_sk_o', policyId })
      .returning();
    const mine = await emit();
    const scoped = await hook({ agent_id: mine.agentId! });
    const everything = await hook();
    await emit('run.completed', other!.id);
    await emit('run.completed', null);
    // The first event was recorded before the webhooks existed and was never dispatched: it still counts.
    await engine.runOnce();

    expect((await deliveriesOf(scoped.id)).map((d) => d.eventId)).toEqual([mine.id]);
    expect(await deliveriesOf(everything.id)).toHaveLength(3);
    expect(receiver.received).toHaveLength(4);
  });

  it('skips paused webhooks, and the background sweep fails what a paused webhook had pending', async () => {
    const { engine, hook, emit, receiver, ctx } = await setup();
    const paused = await hook();
    await services.webhooks.disable(ctx, paused.id);
    await emit();
    const later = await hook();
    await emit();
    await engine.runOnce();
    expect(await deliveriesOf(paused.id)).toHaveLength(0);
    expect(receiver.received).toHaveLength(2);

    receiver.replyWith(() => ({ status: 503 }));
    await emit();
    await engine.runOnce();
    await services.webhooks.disable(ctx, later.id);
    clock.advance(seconds(60));
    await engine.runOnce();
    expect(receiver.received).toHaveLength(3);
    await sweepOnce(db, clock.now());
    const failed = (await deliveriesOf(later.id)).find((d) => d.status !== 'success');
    expect(failed).toMatchObject({
      status: 'failed',
      attempts: 1,
      nextRetryAt: null,
      completedAt: clock.now(),
      lastError: expect.stringMatching(/paused/),
    });
    expect(await failPausedWebhookDeliveries(db, clock.now())).toBe(0);
  });
});

describe('retries', () => {
  it('retries a 500 on the backoff schedule, keeps the answer, then fails after max_attempts', async () => {
    const { engine, hook, emit, receiver } = await setup();
    const webhook = await hook();
    receiver.replyWith(() => ({ status: 500, body: 'x'.repeat(10_000) }));
    await emit();
    const start = clock.now().getTime();

    await engine.runOnce();
    let [delivery] = await deliveriesOf(webhook.id);
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: 1,
      responseStatus: 500,
      lastError: 'Receiver answered HTTP 500',
      completedAt: null,
    });
    expect(delivery!.responseBody).toBe('x'.repeat(4096));
    expect(delivery!.nextRetryAt).toEqual(new Date(start + seconds(30)));

    // Not due a second early; due on time.
    const schedule = [30, 120, 480, 1_920, 7_680];
    for (const [index, wait] of schedule.entries()) {
      clock.advance(seconds(wait - 1));
      await engine.runOnce();
      expect(receiver.received).toHaveLength(index + 1);
      clock.advance(seconds(1));
      await engine.runOnce();
      expect(receiver.received).toHaveLength(index + 2);
    }
    [delivery] = await deliveriesOf(webhook.id);
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: DEFAULT_MAX_ATTEMPTS,
      nextRetryAt: null,
      completedAt: clock.now(),
      responseStatus: 500,
    });
    clock.advance(seconds(86_400));
    await engine.runOnce();
    expect(receiver.received).toHaveLength(DEFAULT_MAX_ATTEMPTS);
    // Every attempt carried the same event and delivery ids.
    expect(
      new Set(receiver.received.map((r) => `${r.headers['x-rungate-event-id']}/${r.headers['x-rungate-delivery-id']}`))
        .size,
    ).toBe(1);
  });

  it('counts a receiver that does not answer in time as a failed attempt, and retries it', async () => {
    const { engine, hook, emit, receiver } = await setup({ timeoutMs: 150 });
    const webhook = await hook();
    receiver.replyWith(() => ({ hang: true }));
    await emit();
    await engine.runOnce();
    expect(await deliveriesOf(webhook.id)).toMatchObject([
      { status: 'pending', attempts: 1, responseStatus: null, lastError: 'No answer within 150 ms' },
    ]);

    receiver.replyWith(() => ({ status: 204 }));
    clock.advance(seconds(30));
    await engine.runOnce();
    expect(await deliveriesOf(webhook.id)).toMatchObject([
      { status: 'success', attempts: 2, responseStatus: 204, lastError: null },
    ]);
    expect(receiver.received).toHaveLength(2);
  });

  it('does not follow redirects', async () => {
    const { engine, hook, emit, receiver } = await setup();
    const webhook = await hook();
    receiver.replyWith((request) =>
      request.path === '/hook' ? { status: 302, headers: { location: '/elsewhere' }, body: 'moved' } : { status: 200 },
    );
    await emit();
    await engine.runOnce();
    expect(receiver.received.map((r) => r.path)).toEqual(['/hook']);
    expect(await deliveriesOf(webhook.id)).toMatchObject([
      { status: 'pending', responseStatus: 302, responseBody: 'moved' },
    ]);
  });

  it(`marks a webhook failing after ${FAILING_THRESHOLD} failed attempts in a row and active again after a success`, async () => {
    const { engine, hook, emit, receiver, ctx } = await setup();
    const webhook = await hook();
    const { updatedAt } = await webhookRow(webhook.id);
    receiver.replyWith(() => ({ status: 500 }));
    for (let i = 1; i < FAILING_THRESHOLD; i++) await emit();
    await engine.runOnce();
    expect(await webhookRow(webhook.id)).toMatchObject({ status: 'active', failureCount: FAILING_THRESHOLD - 1 });

    await emit();
    await engine.runOnce();
    expect(await webhookRow(webhook.id)).toMatchObject({
      status: 'failing',
      failureCount: FAILING_THRESHOLD,
      updatedAt,
    });
    expect((await services.webhooks.get(ctx, webhook.id)).status).toBe('failing');

    // A failing webhook still receives new events and retries; the first success restores it.
    receiver.replyWith(() => ({ status: 200 }));
    await emit();
    await engine.runOnce();
    expect(await webhookRow(webhook.id)).toMatchObject({ status: 'active', failureCount: 0 });
    expect(receiver.received).toHaveLength(FAILING_THRESHOLD + 1);
  });
});

describe('signatures during a secret rotation', () => {
  it('signs with both secrets for 10 minutes, then with the current one only', async () => {
    const { engine, hook, emit, receiver, ctx } = await setup();
    const webhook = await hook({ secret: 'first-secret-value' });
    const rotation = await services.webhooks.rotateSecret(ctx, webhook.id);
    expect(rotation.previous_secret).toBe('first-secret-value');
    expect(rotation.current_secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);

    await emit();
    await engine.runOnce();
    const during = receiver.received[0]!;
    expect(during.headers['x-rungate-signature-256']).toBe(signature(during.body, rotation.current_secret));
    expect(during.headers['x-rungate-signature-256-previous']).toBe(signature(during.body, 'first-secret-value'));

    clock.advance(10 * 60_000);
    await emit();
    await engine.runOnce();
    const after = receiver.received[1]!;
    expect(after.headers['x-rungate-signature-256']).toBe(signature(after.body, rotation.current_secret));
    expect(after.headers).not.toHaveProperty('x-rungate-signature-256-previous');
  });

  it('stops the previous signature at once when the grace window is closed early', async () => {
    const { engine, hook, emit, receiver, ctx } = await setup();
    const webhook = await hook();
    const rotation = await services.webhooks.rotateSecret(ctx, webhook.id);
    const expired = await services.webhooks.expirePreviousSecret(ctx, webhook.id);
    expect(expired).toMatchObject({ previous_secret: null, previous_secret_expires_at: null });
    await emit();
    await engine.runOnce();
    const [request] = receiver.received as [ReceivedRequest];
    expect(request.headers['x-rungate-signature-256']).toBe(signature(request.body, rotation.current_secret));
    expect(request.headers).not.toHaveProperty('x-rungate-signature-256-previous');
  });
});

describe('several engines, crashes and restarts', () => {
  it('delivers each delivery exactly once with two engines racing on the same database', async () => {
    // On PostgreSQL the second engine gets its own connection pool, as another instance would.
    const second = database.url ? await createDatabase({ url: database.url, maxConnections: 4 }) : null;
    if (second) opened.push(second);
    const { hook, emit, receiver } = await setup();
    await hook();
    await hook();
    receiver.replyWith(() => ({ status: 200, delayMs: 5 }));
    const engineOptions = {
      clock,
      secretBox: services.deps.secretBox,
      intervalMs: 5,
      deliveryBatch: 3,
      eventBatch: 4,
      onError: (error: unknown) => expect.fail(String(error)),
    };
    const stops = [
      startWebhookEngine({ db, ...engineOptions }),
      startWebhookEngine({ db: second?.db ?? db, ...engineOptions }),
    ];
    opened.push({ close: async () => void (await Promise.all(stops.map((stop) => stop()))) });
    for (let i = 0; i < 20; i++) await emit();

    await receiver.waitFor(40);
    // Let both engines poll a while longer: nothing may arrive twice.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const ids = receiver.received.map((r) => r.headers['x-rungate-delivery-id']);
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    const rows = (await db.select().from(webhookDeliveries)).filter((d) => ids.includes(d.id));
    expect(rows.every((d) => d.status === 'success' && d.attempts === 1)).toBe(true);
  });

  it('delivers an event recorded while no engine ran once an engine starts', async () => {
    const { hook, emit, receiver } = await setup();
    const webhook = await hook();
    const event = await emit();
    const stop = startWebhookEngine({ db, clock, secretBox: services.deps.secretBox, intervalMs: 5 });
    opened.push({ close: stop });
    const [request] = await receiver.waitFor(1);
    expect(request!.headers['x-rungate-event-id']).toBe(event.id);
    await stop();
    expect(await deliveriesOf(webhook.id)).toMatchObject([{ status: 'success', attempts: 1 }]);
  });

  it('retries an attempt whose engine died mid-delivery once its lease runs out', async () => {
    const { engine, hook, emit, receiver } = await setup({ leaseMs: 60_000 });
    const webhook = await hook();
    await emit();
    await engine.runOnce();
    expect(receiver.received).toHaveLength(1);
    // A second event is claimed by an engine that then dies before sending it.
    await emit();
    await fanOutEvents(db, clock.now(), 10);
    const [claimed] = await claimDueDeliveries(db, clock.now(), 10, 60_000);
    expect(claimed).toMatchObject({ attempts: 1, webhookId: webhook.id });

    await engine.runOnce();
    expect(receiver.received).toHaveLength(1);
    clock.advance(60_000);
    await engine.runOnce();
    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[1]!.headers['x-rungate-delivery-id']).toBe(claimed!.id);
    expect((await deliveriesOf(webhook.id)).find((d) => d.id === claimed!.id)).toMatchObject({
      status: 'success',
      attempts: 2,
    });
  });
});

describe('secrets that no longer decrypt', () => {
  it('records the problem on the delivery instead of failing the round', async () => {
    const { engine, hook, emit, receiver } = await setup();
    const broken = await hook();
    const healthy = await hook();
    // As if sealed under another RUNGATE_ENCRYPTION_KEY.
    await db
      .update(webhooks)
      .set({ secretEncrypted: new SecretBox(randomBytes(32)).encrypt('old-secret') })
      .where(eq(webhooks.id, broken.id));
    await emit();
    await engine.runOnce();
    expect(await deliveriesOf(broken.id)).toMatchObject([
      {
        status: 'pending',
        attempts: 1,
        lastError: expect.stringMatching(/cannot be decrypted.*RUNGATE_ENCRYPTION_KEY/),
      },
    ]);
    expect(await deliveriesOf(healthy.id)).toMatchObject([{ status: 'success' }]);
    expect(receiver.received).toHaveLength(1);
  });
});

describe('private receivers', () => {
  it('refuses to deliver to a loopback receiver when the operator blocks private addresses', async () => {
    const { engine, hook, emit, receiver } = await setup({ blockPrivateAddresses: true });
    const webhook = await hook();
    await emit();
    await engine.runOnce();
    expect(receiver.received).toHaveLength(0);
    expect(await deliveriesOf(webhook.id)).toMatchObject([
      {
        status: 'pending',
        attempts: 1,
        responseStatus: null,
        lastError: expect.stringMatching(/127\.0\.0\.1.*private or loopback/),
      },
    ]);
  });
});
