import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { webhookDeliveries, webhooks } from '@rungate/db';
import { createServices, recordEvent, startWebhookEngine } from '@rungate/governance';
import { startWebhookReceiver, type WebhookReceiver } from '@rungate/governance/testing';
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createHarness, type Harness, type Tenant } from './harness.ts';
import { seedAgent } from './run-fixtures.ts';

let h: Harness;
let receiver: WebhookReceiver;
beforeAll(async () => {
  h = await createHarness();
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.close();
  await h.close();
});

const MISSING = '00000000-0000-4000-8000-000000000000';
const signature = (body: string, secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const unique = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

type WebhookBody = {
  id: string;
  name: string;
  url: string;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: string | null;
  events: string[];
  agent_id: string | null;
  status: string;
  failure_count: number;
};

async function createWebhook(tenant: Tenant, body: Record<string, unknown> = {}): Promise<WebhookBody> {
  const res = await h.request({
    method: 'POST',
    url: '/api/webhooks',
    token: tenant.tokens.write,
    body: { name: unique('hook'), url: receiver.url, events: ['run.completed'], ...body },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data;
}

const row = async (id: string) => (await h.services.deps.db.select().from(webhooks).where(eq(webhooks.id, id)))[0]!;

describe('webhooks: create and read', () => {
  it('creates a webhook with a generated whsec_ secret shown once, masked on every read', async () => {
    const created = await createWebhook(h.a, {
      name: 'ops-alerts',
      events: ['run.completed', 'run.budget_exceeded'],
      description: 'to ops',
    });
    expect(created).toMatchObject({
      name: 'ops-alerts',
      url: receiver.url,
      events: ['run.completed', 'run.budget_exceeded'],
      status: 'active',
      failure_count: 0,
      agent_id: null,
      description: 'to ops',
      scope: 'org',
      previous_secret: null,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9]{32}$/);
    const stored = await row(created.id);
    expect(stored.secretEncrypted).not.toContain(created.secret.slice(6));
    expect(h.services.deps.secretBox.decrypt(stored.secretEncrypted)).toBe(created.secret);

    const got = await h.request({ method: 'GET', url: `/api/webhooks/${created.id}`, token: h.a.tokens.read });
    expect(got.statusCode).toBe(200);
    expect(got.body).not.toContain(created.secret);
    expect(got.json().data).toEqual({ ...created, secret: '********' });

    const list = await h.request({ method: 'GET', url: '/api/webhooks', token: h.a.tokens.read });
    expect(list.body).not.toContain(created.secret);
    expect(list.json().data.find((w: WebhookBody) => w.id === created.id).secret).toBe('********');
  });

  it('keeps a given secret and returns it once', async () => {
    const created = await createWebhook(h.a, { secret: 'my-own-signing-secret' });
    expect(created.secret).toBe('my-own-signing-secret');
    const got = await h.request({ method: 'GET', url: `/api/webhooks/${created.id}`, token: h.a.tokens.read });
    expect(got.json().data.secret).toBe('********');
  });

  it('filters the list by status and subscribed event', async () => {
    const budget = await createWebhook(h.a, { events: ['run.budget_exceeded'] });
    const paused = await createWebhook(h.a, { events: ['agent.created'] });
    await h.request({ method: 'POST', url: `/api/webhooks/${paused.id}/disable`, token: h.a.tokens.write });
    const byEvent = await h.request({
      method: 'GET',
      url: '/api/webhooks?event=run.budget_exceeded',
      token: h.a.tokens.read,
    });
    expect(byEvent.json().data.map((w: WebhookBody) => w.id)).toContain(budget.id);
    expect(byEvent.json().data.every((w: WebhookBody) => w.events.includes('run.budget_exceeded'))).toBe(true);
    const byStatus = await h.request({ method: 'GET', url: '/api/webhooks?status=paused', token: h.a.tokens.read });
    expect(byStatus.json()).toEqual({ data: [expect.objectContaining({ id: paused.id, status: 'paused' })], total: 1 });
  });

  it('refuses non-HTTP(S), malformed and credentialed URLs with 400 naming url', async () => {
    for (const url of [
      'ftp://example.com/hook',
      'not a url',
      'javascript:alert(1)',
      'http:/missing-slash',
      'https://user:pw@example.com/hook',
    ]) {
      const res = await h.request({
        method: 'POST',
        url: '/api/webhooks',
        token: h.a.tokens.write,
        body: { name: unique('bad'), url, events: ['run.completed'] },
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatchObject({ type: 'validation_error', fields: { url: expect.any(String) } });
    }
    const hook = await createWebhook(h.a);
    const update = await h.request({
      method: 'PUT',
      url: `/api/webhooks/${hook.id}`,
      token: h.a.tokens.write,
      body: { url: 'ftp://example.com/x' },
    });
    expect(update.statusCode).toBe(400);
    expect(update.json().error.fields).toHaveProperty('url');
    expect((await row(hook.id)).url).toBe(receiver.url);
  });

  it('refuses empty or unknown event lists and agents of another org with 400', async () => {
    const empty = await h.request({
      method: 'POST',
      url: '/api/webhooks',
      token: h.a.tokens.write,
      body: { name: unique('x'), url: receiver.url, events: [] },
    });
    expect(empty.json().error.fields).toHaveProperty('events');
    const unknown = await h.request({
      method: 'POST',
      url: '/api/webhooks',
      token: h.a.tokens.write,
      body: { name: unique('x'), url: receiver.url, events: ['run.exploded'] },
    });
    expect(unknown.statusCode).toBe(400);
    const theirs = await seedAgent(h.services.deps.db, h.b.orgId, unique('agent-b'));
    for (const agent_id of [theirs.agent.id, MISSING, 'not-a-uuid']) {
      const res = await h.request({
        method: 'POST',
        url: '/api/webhooks',
        token: h.a.tokens.write,
        body: { name: unique('x'), url: receiver.url, events: ['run.completed'], agent_id },
      });
      expect(res.statusCode, agent_id).toBe(400);
      expect(res.json().error.fields).toEqual({ agent_id: `Agent '${agent_id}' not found` });
    }
    const mine = await seedAgent(h.services.deps.db, h.a.orgId, unique('agent-a'));
    expect((await createWebhook(h.a, { agent_id: mine.agent.id })).agent_id).toBe(mine.agent.id);
  });

  it('answers 409 for a name already used in the org, on create and on rename; other orgs may reuse it', async () => {
    const first = await createWebhook(h.a, { name: 'billing' });
    const again = await h.request({
      method: 'POST',
      url: '/api/webhooks',
      token: h.a.tokens.write,
      body: { name: 'billing', url: receiver.url, events: ['run.completed'] },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error).toMatchObject({ type: 'conflict', message: "A webhook named 'billing' already exists" });
    const other = await createWebhook(h.a, { name: 'billing-2' });
    const rename = await h.request({
      method: 'PUT',
      url: `/api/webhooks/${other.id}`,
      token: h.a.tokens.write,
      body: { name: 'billing' },
    });
    expect(rename.statusCode).toBe(409);
    expect((await createWebhook(h.b, { name: 'billing' })).name).toBe('billing');
    expect((await row(first.id)).name).toBe('billing');
  });
});

describe('webhooks: changes', () => {
  it('PUT changes only the fields sent and replaces events', async () => {
    const hook = await createWebhook(h.a, { events: ['run.completed', 'run.started'], description: 'keep me' });
    const res = await h.request({
      method: 'PUT',
      url: `/api/webhooks/${hook.id}`,
      token: h.a.tokens.write,
      body: { events: ['approval.approved'] },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      name: hook.name,
      events: ['approval.approved'],
      description: 'keep me',
      url: receiver.url,
    });
    expect(res.json().data.secret).toBe('********');
    const cleared = await h.request({
      method: 'PUT',
      url: `/api/webhooks/${hook.id}`,
      token: h.a.tokens.write,
      body: { description: null, secret: 'replaced-secret-1234' },
    });
    expect(cleared.json().data).toMatchObject({ description: null, secret: '********' });
    expect(h.services.deps.secretBox.decrypt((await row(hook.id)).secretEncrypted)).toBe('replaced-secret-1234');
  });

  it('disable pauses, enable reactivates and resets failure_count; both idempotent', async () => {
    const hook = await createWebhook(h.a);
    for (let i = 0; i < 2; i++) {
      const res = await h.request({ method: 'POST', url: `/api/webhooks/${hook.id}/disable`, token: h.a.tokens.write });
      expect(res.statusCode).toBe(200);
      expect(res.json().data.status).toBe('paused');
    }
    await h.services.deps.db
      .update(webhooks)
      .set({ status: 'failing', failureCount: 7 })
      .where(eq(webhooks.id, hook.id));
    for (let i = 0; i < 2; i++) {
      const res = await h.request({ method: 'POST', url: `/api/webhooks/${hook.id}/enable`, token: h.a.tokens.write });
      expect(res.statusCode).toBe(200);
      expect(res.json().data).toMatchObject({ status: 'active', failure_count: 0 });
    }
  });

  it('rotates the secret with a 10-minute grace window that can be closed early', async () => {
    const hook = await createWebhook(h.a);
    const res = await h.request({
      method: 'POST',
      url: `/api/webhooks/${hook.id}/rotate-secret`,
      token: h.a.tokens.write,
    });
    expect(res.statusCode).toBe(200);
    const rotation = res.json().data;
    const graceEnd = new Date(h.clock.now().getTime() + 10 * 60_000).toISOString();
    expect(rotation).toEqual({
      previous_secret: hook.secret,
      current_secret: expect.stringMatching(/^whsec_/),
      grace_expires_at: graceEnd,
    });
    expect(rotation.current_secret).not.toBe(hook.secret);

    const during = (await h.request({ method: 'GET', url: `/api/webhooks/${hook.id}`, token: h.a.tokens.read })).json()
      .data;
    expect(during).toMatchObject({
      secret: '********',
      previous_secret: '********',
      previous_secret_expires_at: graceEnd,
    });
    expect(JSON.stringify(during)).not.toContain(rotation.current_secret);

    const expired = await h.request({
      method: 'POST',
      url: `/api/webhooks/${hook.id}/expire-previous-secret`,
      token: h.a.tokens.write,
    });
    expect(expired.json().data).toMatchObject({ previous_secret: null, previous_secret_expires_at: null });
    expect(await row(hook.id)).toMatchObject({ previousSecretEncrypted: null, previousSecretExpiresAt: null });
    const again = await h.request({
      method: 'POST',
      url: `/api/webhooks/${hook.id}/expire-previous-secret`,
      token: h.a.tokens.write,
    });
    expect(again.statusCode).toBe(200);
  });

  it('deletes a webhook with its deliveries', async () => {
    const hook = await createWebhook(h.a);
    await h.services.deps.db.insert(webhookDeliveries).values({
      orgId: h.a.orgId,
      webhookId: hook.id,
      eventType: 'run.completed',
      eventId: MISSING,
      payload: '{}',
      maxAttempts: 6,
    });
    const res = await h.request({ method: 'DELETE', url: `/api/webhooks/${hook.id}`, token: h.a.tokens.write });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: { message: 'Webhook deleted' } });
    expect(
      await h.services.deps.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, hook.id)),
    ).toEqual([]);
    expect(
      (await h.request({ method: 'GET', url: `/api/webhooks/${hook.id}`, token: h.a.tokens.read })).statusCode,
    ).toBe(404);
  });

  it('needs the write scope for changes; read tokens may read', async () => {
    const hook = await createWebhook(h.a);
    expect(
      (await h.request({ method: 'GET', url: `/api/webhooks/${hook.id}/deliveries`, token: h.a.tokens.read }))
        .statusCode,
    ).toBe(200);
    for (const [method, url] of [
      ['POST', '/api/webhooks'],
      ['PUT', `/api/webhooks/${hook.id}`],
      ['POST', `/api/webhooks/${hook.id}/rotate-secret`],
      ['POST', `/api/webhooks/${hook.id}/test`],
      ['DELETE', `/api/webhooks/${hook.id}`],
    ] as const) {
      const res = await h.request({
        method,
        url,
        token: h.a.tokens.read,
        body: method === 'DELETE' ? undefined : { name: 'x', url: receiver.url, events: ['run.completed'] },
      });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error.type).toBe('forbidden');
    }
  });
});

describe('webhooks: tenant isolation', () => {
  it("answers 404 for another org's webhook on every operation and never lists it", async () => {
    const theirs = await createWebhook(h.b, { name: unique('theirs') });
    for (const [method, path] of [
      ['GET', ''],
      ['PUT', ''],
      ['DELETE', ''],
      ['POST', '/enable'],
      ['POST', '/disable'],
      ['POST', '/rotate-secret'],
      ['POST', '/expire-previous-secret'],
      ['GET', '/deliveries'],
      ['POST', '/test'],
    ] as const) {
      const res = await h.request({
        method,
        url: `/api/webhooks/${theirs.id}${path}`,
        token: h.a.tokens.admin,
        body: method === 'PUT' ? { name: 'mine-now' } : undefined,
      });
      expect(res.statusCode, `${method} ${path}`).toBe(404);
      expect(res.json().error.type).toBe('not_found');
    }
    const list = await h.request({ method: 'GET', url: '/api/webhooks', token: h.a.tokens.read });
    expect(list.json().data.map((w: WebhookBody) => w.id)).not.toContain(theirs.id);
    expect(await row(theirs.id)).toMatchObject({ name: theirs.name, status: 'active' });
  });
});

describe('webhooks: deliveries and test events', () => {
  let stopEngine: (() => Promise<void>) | null = null;
  afterEach(async () => {
    await stopEngine?.();
    stopEngine = null;
    receiver.replyWith(() => ({ status: 200, body: 'ok' }));
  });
  const startEngine = () => {
    stopEngine = startWebhookEngine({
      db: h.services.deps.db,
      clock: h.clock,
      secretBox: h.services.deps.secretBox,
      slot: h.services.webhookEngine,
      intervalMs: 50,
    });
  };

  it('answers 503 for a test event while no delivery engine runs', async () => {
    const hook = await createWebhook(h.a);
    const res = await h.request({ method: 'POST', url: `/api/webhooks/${hook.id}/test`, token: h.a.tokens.write });
    expect(res.statusCode).toBe(503);
    expect(res.json().error).toMatchObject({ type: 'service_unavailable' });
    const trpc = await h.request({
      method: 'POST',
      url: '/trpc/webhooks.test',
      token: h.a.tokens.write,
      body: { id: hook.id },
    });
    expect(trpc.statusCode).toBe(503);
    expect(
      await h.services.deps.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, hook.id)),
    ).toEqual([]);
  });

  it('delivers one signed webhook.test event, whatever the subscription', async () => {
    startEngine();
    const hook = await createWebhook(h.a, { events: ['agent.created'] });
    const before = receiver.received.length;
    const res = await h.request({ method: 'POST', url: `/api/webhooks/${hook.id}/test`, token: h.a.tokens.write });
    expect(res.statusCode, res.body).toBe(200);
    const { data } = res.json();
    expect(data).toEqual({ message: 'Test event delivered (HTTP 200)', delivery_id: expect.any(String) });

    const request = receiver.received[before]!;
    expect(receiver.received).toHaveLength(before + 1);
    expect(request.headers).toMatchObject({
      'x-rungate-event': 'webhook.test',
      'x-rungate-delivery-id': data.delivery_id,
      'x-rungate-signature-256': signature(request.body, hook.secret),
    });
    expect(JSON.parse(request.body)).toMatchObject({
      type: 'webhook.test',
      org_id: h.a.orgId,
      id: request.headers['x-rungate-event-id'],
      data: { webhook: { id: hook.id, name: hook.name } },
    });

    const deliveries = await h.request({
      method: 'GET',
      url: `/api/webhooks/${hook.id}/deliveries`,
      token: h.a.tokens.read,
    });
    expect(deliveries.json()).toEqual({
      data: [
        expect.objectContaining({
          id: data.delivery_id,
          event_type: 'webhook.test',
          status: 'success',
          attempts: 1,
          max_attempts: 1,
          response_status: 200,
          response_body: 'ok',
          payload: request.body,
        }),
      ],
      total: 1,
    });
  });

  it('tries a test event once, with no retry, and warns about a paused webhook', async () => {
    startEngine();
    const hook = await createWebhook(h.a);
    await h.request({ method: 'POST', url: `/api/webhooks/${hook.id}/disable`, token: h.a.tokens.write });
    receiver.replyWith(() => ({ status: 500, body: 'broken' }));
    const before = receiver.received.length;
    const res = await h.request({ method: 'POST', url: `/api/webhooks/${hook.id}/test`, token: h.a.tokens.write });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      message: 'Test event not delivered: Receiver answered HTTP 500',
      warning: expect.stringMatching(/paused/),
    });

    h.clock.advance(24 * 3_600_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(receiver.received).toHaveLength(before + 1);
    const [delivery] = await h.services.deps.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.webhookId, hook.id));
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 1,
      maxAttempts: 1,
      responseStatus: 500,
      responseBody: 'broken',
      nextRetryAt: null,
    });
  });

  it('lists deliveries newest first with filters and pagination', async () => {
    const hook = await createWebhook(h.a);
    const db = h.services.deps.db;
    const base = h.clock.now().getTime();
    for (let i = 0; i < 5; i++) {
      await db.insert(webhookDeliveries).values({
        orgId: h.a.orgId,
        webhookId: hook.id,
        eventType: i % 2 ? 'run.completed' : 'run.started',
        eventId: randomUUID(),
        payload: `{"n":${i}}`,
        status: i === 4 ? 'failed' : 'success',
        attempts: 1,
        maxAttempts: 6,
        createdAt: new Date(base + i * 1000),
      });
    }
    const page = await h.request({
      method: 'GET',
      url: `/api/webhooks/${hook.id}/deliveries?limit=2&offset=1`,
      token: h.a.tokens.read,
    });
    expect(page.json().total).toBe(5);
    expect(page.json().data.map((d: { payload: string }) => d.payload)).toEqual(['{"n":3}', '{"n":2}']);
    const started = await h.request({
      method: 'GET',
      url: `/api/webhooks/${hook.id}/deliveries?event_type=run.started`,
      token: h.a.tokens.read,
    });
    expect(started.json().total).toBe(3);
    const failed = await h.request({
      method: 'GET',
      url: `/api/webhooks/${hook.id}/deliveries?status=failed`,
      token: h.a.tokens.read,
    });
    expect(failed.json().data.map((d: { payload: string }) => d.payload)).toEqual(['{"n":4}']);
    const tooMany = await h.request({
      method: 'GET',
      url: `/api/webhooks/${hook.id}/deliveries?limit=201`,
      token: h.a.tokens.read,
    });
    expect(tooMany.statusCode).toBe(400);
  });

  it('delivers an event an api service records, signed with the webhook secret', async () => {
    startEngine();
    const own = await startWebhookReceiver();
    try {
      const hook = await createWebhook(h.a, {
        url: own.url,
        events: ['run.completed'],
        secret: 'receiver-shared-secret',
      });
      const owner = await seedAgent(h.services.deps.db, h.a.orgId, unique('runner'));
      await recordEvent(
        h.services.deps.db,
        { orgId: h.a.orgId, agentId: owner.agent.id, type: 'run.completed', data: { run: { id: MISSING } } },
        h.clock.now(),
      );
      const [request] = await own.waitFor(1);
      expect(request!.headers['x-rungate-signature-256']).toBe(signature(request!.body, 'receiver-shared-secret'));
      expect(JSON.parse(request!.body)).toMatchObject({
        type: 'run.completed',
        org_id: h.a.orgId,
        data: { run: { id: MISSING } },
      });
      await stopEngine?.();
      const [delivery] = await h.services.deps.db
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.webhookId, hook.id));
      expect(delivery).toMatchObject({ id: request!.headers['x-rungate-delivery-id'], status: 'success', attempts: 1 });
      expect(own.received).toHaveLength(1);
    } finally {
      await own.close();
    }
  });
});

describe('webhooks: private receivers', () => {
  it('refuses loopback and private URLs with 400 when the operator forbids them', async () => {
    const services = createServices({
      db: h.services.deps.db,
      encryptionKey: randomBytes(32),
      clock: h.clock,
      blockPrivateWebhookAddresses: true,
    });
    const app = await buildApp({ services });
    try {
      for (const url of [
        'http://127.0.0.1:9000/hook',
        'http://localhost/hook',
        'http://[::1]/hook',
        'http://10.0.0.8/hook',
        'http://169.254.169.254/latest',
      ]) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/webhooks',
          headers: { authorization: `Bearer ${h.a.tokens.write}` },
          payload: { name: unique('private'), url, events: ['run.completed'] },
        });
        expect(res.statusCode, url).toBe(400);
        expect(res.json().error.fields.url).toMatch(/not allowed/);
      }
      const ok = await app.inject({
        method: 'POST',
        url: '/api/webhooks',
        headers: { authorization: `Bearer ${h.a.tokens.write}` },
        payload: { name: unique('public'), url: 'https://hooks.example.com/in', events: ['run.completed'] },
      });
      expect(ok.statusCode).toBe(201);
    } finally {
      await app.close();
    }
  });

  it('allows them by default', async () => {
    expect((await createWebhook(h.a, { url: 'http://10.0.0.8/hook' })).url).toBe('http://10.0.0.8/hook');
  });
});

describe('webhooks over tRPC and GraphQL', () => {
  it('lists webhooks with masked secrets on both', async () => {
    const hook = await createWebhook(h.a, { name: unique('transport') });
    const trpc = await h.request({ method: 'GET', url: '/trpc/webhooks.list', token: h.a.tokens.read });
    expect(trpc.statusCode).toBe(200);
    expect(trpc.body).not.toContain(hook.secret);
    expect(trpc.json().result.data.find((w: WebhookBody) => w.id === hook.id)).toMatchObject({
      name: hook.name,
      secret: '********',
    });

    const gql = await h.request({
      method: 'POST',
      url: '/graphql',
      token: h.a.tokens.read,
      body: {
        query: `{ webhook(id: "${hook.id}") { id name secret events status } webhookDeliveries(webhook_id: "${hook.id}") { total } }`,
      },
    });
    expect(gql.json()).toEqual({
      data: {
        webhook: { id: hook.id, name: hook.name, secret: '********', events: ['run.completed'], status: 'active' },
        webhookDeliveries: { total: 0 },
      },
    });
    const foreign = await h.request({
      method: 'POST',
      url: '/graphql',
      token: h.b.tokens.read,
      body: { query: `{ webhook(id: "${hook.id}") { id } }` },
    });
    expect(foreign.json().errors[0].extensions.code).toBe('not_found');
  });

  it('creates over tRPC with the write scope only', async () => {
    const input = { name: unique('trpc'), url: receiver.url, events: ['run.completed'] };
    const denied = await h.request({
      method: 'POST',
      url: '/trpc/webhooks.create',
      token: h.a.tokens.read,
      body: input,
    });
    expect(denied.statusCode).toBe(403);
    const created = await h.request({
      method: 'POST',
      url: '/trpc/webhooks.create',
      token: h.a.tokens.write,
      body: input,
    });
    expect(created.statusCode).toBe(200);
    expect(created.json().result.data.secret).toMatch(/^whsec_/);
  });
});
