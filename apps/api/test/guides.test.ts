import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { allOperations, toRoutePath, WebhookEventType } from '@rungate/contracts';
import { startWebhookEngine } from '@rungate/governance';
import { type ReceivedRequest, startWebhookReceiver, type WebhookReceiver } from '@rungate/governance/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../src/env.ts';
import { GUIDES_DIR, loadGuides } from '../src/routes/guides.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const HEADINGS = {
  setup: '# Rungate setup guide',
  'core-tests': '# Rungate core tests',
  'advanced-tests': '# Rungate advanced tests',
  reference: '# Rungate integration reference',
};
const guide = (name: keyof typeof HEADINGS) => readFileSync(join(GUIDES_DIR, `${name}.md`), 'utf8');

describe('GET /docs/guides/{name}', () => {
  it.each(Object.entries(HEADINGS))('serves %s as Markdown to an anonymous caller', async (name, heading) => {
    const res = await h.request({ method: 'GET', url: `/docs/guides/${name}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(res.body.split('\n')[0]).toBe(heading);
    expect(res.body).toBe(guide(name as keyof typeof HEADINGS));
  });

  it('ignores credentials, valid or not', async () => {
    for (const token of [h.a.tokens.read, 'rg_adm_not-a-real-token', 'rg_sk_not-a-real-key']) {
      const res = await h.request({ method: 'GET', url: '/docs/guides/reference', token });
      expect(res.statusCode, token).toBe(200);
      expect(res.body.split('\n')[0]).toBe(HEADINGS.reference);
    }
  });

  it('answers 404 in the spec error shape for a guide that does not exist', async () => {
    for (const name of ['nope', 'Setup', 'README']) {
      const res = await h.request({ method: 'GET', url: `/docs/guides/${name}` });
      expect(res.statusCode, name).toBe(404);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.json()).toEqual({ error: { type: 'not_found', message: `Guide '${name}' not found` } });
    }
  });

  it('answers 400 naming the field for a name outside [a-zA-Z0-9_-]', async () => {
    for (const name of ['setup.md', '..%2Fsetup', 'set%20up', '..%2F..%2Fpackage.json', '.env']) {
      const res = await h.request({ method: 'GET', url: `/docs/guides/${name}` });
      expect(res.statusCode, name).toBe(400);
      expect(res.json().error, name).toMatchObject({ type: 'validation_error', fields: { name: expect.any(String) } });
    }
  });
});

describe('loadGuides', () => {
  it('reads only <name>.md files whose name a request could ask for', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rungate-guides-'));
    try {
      writeFileSync(join(dir, 'intro.md'), '# Intro\n');
      writeFileSync(join(dir, 'notes.txt'), 'not a guide');
      writeFileSync(join(dir, 'two words.md'), '# unreachable');
      mkdirSync(join(dir, 'nested.md'));
      expect([...loadGuides(dir)]).toEqual([['intro', '# Intro\n']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the guides stay true to the code', () => {
  const all = Object.keys(HEADINGS)
    .map((name) => guide(name as keyof typeof HEADINGS))
    .join('\n');

  it('names only endpoints the app serves', () => {
    const mentions = [
      ...new Set(
        [...all.matchAll(/\b(GET|POST|PUT|PATCH|DELETE) (\/[\w\-/{}.]*[\w}])/g)].map((m) => `${m[1]} ${m[2]}`),
      ),
    ];
    expect(mentions.length).toBeGreaterThan(40);
    const unknown = mentions.filter((mention) => {
      const [method, path] = mention.split(' ') as [string, string];
      const op = allOperations.find(
        (o) => o.method === method && new RegExp(`^${o.path.replace(/\{\w+\}/g, '(\\{\\w+\\}|[^/{}]+)')}$`).test(path),
      );
      return !op || !h.app.hasRoute({ method: op.method, url: toRoutePath(op.path) });
    });
    expect(unknown).toEqual([]);
  });

  it('lists every webhook event type of the spec, and no other', () => {
    const section = guide('reference').split('## Webhook events')[1]!.split('### ')[0]!;
    const listed = [...section.matchAll(/^\| `([a-z_]+\.[a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(listed.toSorted()).toEqual([...WebhookEventType.options].sort());
  });

  it('documents every configuration variable', () => {
    const env = loadEnv({
      DATABASE_URL: 'postgres://localhost/rungate',
      REDIS_URL: 'redis://localhost',
      RUNGATE_ENCRYPTION_KEY: 'a'.repeat(64),
      RUNGATE_BOOTSTRAP_TOKEN: 'b'.repeat(24),
      RUNGATE_WEB_DIR: '/srv/web',
    });
    const documented = [...guide('setup').matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.toSorted()).toEqual(Object.keys(env).sort());
  });
});

/** What the reference guide's `verifyRungateDelivery` answers. */
type Verdict = { ok: false; reason: string } | { ok: true; duplicate: boolean; event: { id: string; type: string } };
type Verify = (input: {
  rawBody: Buffer | string;
  headers: Record<string, unknown>;
  secrets: string | string[];
  seen: Set<string>;
  now?: number;
}) => Verdict;

describe('reference guide: the webhook verification snippet', () => {
  let verify: Verify;
  let receiver: WebhookReceiver;
  let stopEngine: () => Promise<void>;
  let moduleDir: string;

  beforeAll(async () => {
    // Runs the code block exactly as the guide prints it, so the documentation cannot rot.
    const blocks = [...guide('reference').matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!);
    const snippet = blocks.filter((code) => code.includes('export function verifyRungateDelivery('));
    expect(snippet).toHaveLength(1);
    moduleDir = mkdtempSync(join(tmpdir(), 'rungate-verify-'));
    const file = join(moduleDir, 'verify-rungate.mjs');
    writeFileSync(file, snippet[0]!);
    verify = ((await import(/* @vite-ignore */ pathToFileURL(file).href)) as { verifyRungateDelivery: Verify })
      .verifyRungateDelivery;
    receiver = await startWebhookReceiver();
    const { db, secretBox } = h.services.deps;
    stopEngine = startWebhookEngine({
      db,
      clock: h.clock,
      secretBox,
      slot: h.services.webhookEngine,
      intervalMs: 60_000,
    });
  });
  afterAll(async () => {
    await stopEngine();
    await receiver.close();
    rmSync(moduleDir, { recursive: true, force: true });
  });

  async function createWebhook(secret: string): Promise<string> {
    const res = await h.request({
      method: 'POST',
      url: '/api/webhooks',
      token: h.a.tokens.write,
      body: { name: `guide-${secret}`, url: receiver.url, events: ['run.completed'], secret },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().data.id;
  }

  /** A real `webhook.test` delivery, as signed and sent by the delivery engine. */
  async function deliver(webhookId: string): Promise<ReceivedRequest> {
    const before = receiver.received.length;
    const res = await h.request({ method: 'POST', url: `/api/webhooks/${webhookId}/test`, token: h.a.tokens.write });
    expect(res.json().data.message).toBe('Test event delivered (HTTP 200)');
    expect(receiver.received).toHaveLength(before + 1);
    return receiver.received[before]!;
  }

  const sentAtMs = (request: ReceivedRequest) => Number(request.headers['x-rungate-timestamp']) * 1000;

  it('accepts a signed delivery once and reports its retry as a duplicate', async () => {
    const secret = 'whsec_guide-accepts';
    const request = await deliver(await createWebhook(secret));
    const seen = new Set<string>();
    const input = {
      rawBody: Buffer.from(request.body),
      headers: request.headers,
      secrets: secret,
      seen,
      now: sentAtMs(request),
    };

    const first = verify(input);
    expect(first).toEqual({ ok: true, duplicate: false, event: JSON.parse(request.body) });
    expect(first.ok && first.event).toMatchObject({ id: request.headers['x-rungate-event-id'], type: 'webhook.test' });
    expect(verify(input)).toMatchObject({ ok: true, duplicate: true });
    expect(verify({ ...input, rawBody: request.body, seen: new Set() })).toMatchObject({ ok: true, duplicate: false });
  });

  it('refuses a changed body, a wrong secret, missing signatures and stale or missing timestamps', async () => {
    const secret = 'whsec_guide-refuses';
    const request = await deliver(await createWebhook(secret));
    const sentAt = sentAtMs(request);
    const check = (changes: Partial<Parameters<Verify>[0]>) =>
      verify({
        rawBody: request.body,
        headers: request.headers,
        secrets: secret,
        seen: new Set(),
        now: sentAt,
        ...changes,
      });

    expect(check({ rawBody: request.body.replace('Test event', 'Test evenT') })).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(check({ secrets: 'whsec_someone-else' })).toEqual({ ok: false, reason: 'bad_signature' });
    const { 'x-rungate-signature-256': _signature, ...unsigned } = request.headers;
    expect(check({ headers: unsigned })).toEqual({ ok: false, reason: 'bad_signature' });

    expect(check({ now: sentAt + 299_000 })).toMatchObject({ ok: true });
    expect(check({ now: sentAt + 301_000 })).toEqual({ ok: false, reason: 'stale' });
    expect(check({ now: sentAt - 301_000 })).toEqual({ ok: false, reason: 'stale' });
    const { 'x-rungate-timestamp': _timestamp, ...undated } = request.headers;
    expect(check({ headers: undated })).toEqual({ ok: false, reason: 'stale' });
  });

  it('accepts either signature header while a rotated secret is in its grace window', async () => {
    const webhookId = await createWebhook('whsec_guide-before-rotation');
    const rotated = await h.request({
      method: 'POST',
      url: `/api/webhooks/${webhookId}/rotate-secret`,
      token: h.a.tokens.write,
    });
    const { previous_secret: previous, current_secret: current } = rotated.json().data;
    const request = await deliver(webhookId);
    expect(request.headers['x-rungate-signature-256-previous']).toMatch(/^sha256=[0-9a-f]{64}$/);
    const check = (secrets: string | string[], headers = request.headers) =>
      verify({ rawBody: request.body, headers, secrets, seen: new Set(), now: sentAtMs(request) });

    expect(check(previous)).toMatchObject({ ok: true });
    expect(check(current)).toMatchObject({ ok: true });
    expect(check(['whsec_unrelated', previous])).toMatchObject({ ok: true });
    const { 'x-rungate-signature-256-previous': _previous, ...currentOnly } = request.headers;
    expect(check(previous, currentOnly)).toEqual({ ok: false, reason: 'bad_signature' });

    await h.request({
      method: 'POST',
      url: `/api/webhooks/${webhookId}/expire-previous-secret`,
      token: h.a.tokens.write,
    });
    const after = await deliver(webhookId);
    expect(after.headers).not.toHaveProperty('x-rungate-signature-256-previous');
    const checkAfter = (secrets: string) =>
      verify({ rawBody: after.body, headers: after.headers, secrets, seen: new Set(), now: sentAtMs(after) });
    expect(checkAfter(previous)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(checkAfter(current)).toMatchObject({ ok: true });
  });
});
