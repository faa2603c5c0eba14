import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, eventually, refusal } from './support/calls.ts';
import { type FakeProvider, startFakeProvider } from './support/fake-provider.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';
import { extraProvider, routingScenario, runStepsOf, SLACK_MS, timed } from './support/routing.ts';

/**
 * Retries and timeouts with two OpenAI-compatible providers, `groq` then `together`, each on its
 * own fake so every request can be counted where it landed.
 */
let h: ProxyHarness | null;
let groq: { fake: FakeProvider; keyId: string };
let together: { fake: FakeProvider; keyId: string };

beforeAll(async () => {
  h = await createProxyHarness();
  groq = await extraProvider(h, 'groq');
  together = await extraProvider(h, 'together');
});
afterAll(async () => {
  await h?.close();
  await groq?.fake.close();
  await together?.fake.close();
});

const harness = () => h!;
/** Timeouts under the 1 s minimum of a policy's `connect_timeout_ms` are set as the agent's override. */
const chain = ({ timeout_ms, ...routing }: Record<string, unknown> & { timeout_ms?: number } = {}) =>
  routingScenario(
    harness(),
    { routing: { default_chain: ['groq', 'together'], ...routing } },
    {
      provider_keys: { groq: groq.keyId, together: together.keyId },
      ...(timeout_ms ? { routing_override: { timeout_ms } } : {}),
    },
  );
const counts = () => ({ groq: groq.fake.requests.length, together: together.fake.requests.length });
const since = (from: ReturnType<typeof counts>) => ({
  groq: groq.fake.requests.length - from.groq,
  together: together.fake.requests.length - from.together,
});

describe('retries', () => {
  it('retry_on statuses are retried up to max_retries attempts on a provider, then it fails over', async () => {
    const s = await chain({ retry_on: [500], max_retries: 3 });
    groq.fake.enqueue({ status: 500 }, { status: 500 }, { status: 500 });
    const from = counts();
    const { headers } = await chat(s.openai);
    expect(since(from)).toEqual({ groq: 3, together: 1 });
    expect(headers.get('x-rungate-provider')).toBe('together');
    const [transition, call] = await runStepsOf(harness(), headers.get('x-rungate-run-id')!);
    expect(transition!.failoverContext!.attempted).toEqual(
      Array(3).fill({
        provider: 'groq',
        provider_key_id: groq.keyId,
        status: 500,
        error: 'Fake provider error 500',
        kind: 'http_error',
      }),
    );
    expect(call).toMatchObject({ status: 'success', provider: 'together', failoverAttempts: 3 });
  });

  it('a status outside retry_on neither retries nor fails over', async () => {
    const s = await chain({ retry_on: [503] });
    groq.fake.enqueue({ status: 500 });
    const from = counts();
    const failed = await refusal(chat(s.openai));
    expect(since(from)).toEqual({ groq: 1, together: 0 });
    expect(failed.status).toBe(502);
    expect(failed.body.error).toEqual({
      type: 'provider_error',
      message: 'The provider failed: Fake provider error 500',
      details: [{ provider: 'groq', status: 500, message: 'Fake provider error 500', kind: 'http_error' }],
    });
  });

  it('when every provider fails: 502 with every attempt, and the failed step recorded', async () => {
    const s = await chain({ retry_on: [500, 503], max_retries: 1 });
    groq.fake.enqueue({ status: 503 });
    together.fake.enqueue({ status: 500 });
    const failed = await refusal(chat(s.openai));
    expect(failed.status).toBe(502);
    expect(failed.body.error).toMatchObject({
      type: 'provider_error',
      details: [
        { provider: 'groq', status: 503, kind: 'http_error' },
        { provider: 'together', status: 500, kind: 'http_error' },
      ],
    });
    const runId = failed.headers.get('x-rungate-run-id')!;
    const steps = await runStepsOf(harness(), runId);
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatchObject({
      type: 'llm_call',
      status: 'error',
      provider: 'together',
      errorKind: 'http_error',
      failoverAttempts: 1,
      costUsd: '0.0000000000',
    });
    expect((steps[0]!.response as { errors: unknown[] }).errors).toHaveLength(2);
  });

  it('429 under failover_first moves to the next provider at once', async () => {
    const s = await chain({ on_rate_limit: 'failover_first' });
    groq.fake.enqueue({ status: 429, retryAfter: '1' });
    const from = counts();
    const { value, ms } = await timed(() => chat(s.openai));
    expect(value.headers.get('x-rungate-provider')).toBe('together');
    expect(since(from)).toEqual({ groq: 1, together: 1 });
    expect(ms).toBeLessThan(900);
  });

  it('429 under backoff_first waits retry-after and retries the same provider', async () => {
    const s = await chain({ on_rate_limit: 'backoff_first' });
    groq.fake.enqueue({ status: 429, retryAfter: '1' });
    const from = counts();
    const { value, ms } = await timed(() => chat(s.openai));
    expect(value.headers.get('x-rungate-provider')).toBe('groq');
    expect(since(from)).toEqual({ groq: 2, together: 0 });
    expect(ms).toBeGreaterThanOrEqual(990);
    expect(ms).toBeLessThan(1_000 + SLACK_MS);
  });
  it('connection refused is a network_error and fails over', async () => {
    const gone = await startFakeProvider();
    const url = gone.openAIBaseUrl;
    await gone.close();
    const dead = await harness().services.providerKeys.create(harness().ctx, {
      provider: 'deepinfra',
      name: 'refused',
      api_key: 'sk-refused',
      base_url: url,
    });
    const s = await routingScenario(
      harness(),
      { routing: { default_chain: ['deepinfra', 'together'], max_retries: 1 } },
      { provider_keys: { deepinfra: dead.id, together: together.keyId } },
    );
    const { value, ms } = await timed(() => chat(s.openai));
    expect(value.headers.get('x-rungate-provider')).toBe('together');
    expect(ms).toBeLessThan(SLACK_MS);
    const [transition] = await runStepsOf(harness(), value.headers.get('x-rungate-run-id')!);
    expect(transition!.failoverContext!.attempted).toEqual([
      expect.objectContaining({ provider: 'deepinfra', provider_key_id: dead.id, kind: 'network_error' }),
    ]);
  });
});

describe('timeouts', () => {
  it('a provider that hangs past timeout_ms is a request_timeout; the next provider answers', async () => {
    const s = await chain({ timeout_ms: 500, max_retries: 1 });
    groq.fake.enqueue({ hang: true });
    const { value, ms } = await timed(() => chat(s.openai));
    expect(value.headers.get('x-rungate-provider')).toBe('together');
    expect(ms).toBeGreaterThanOrEqual(480);
    expect(ms).toBeLessThan(500 + SLACK_MS);
    const [transition] = await runStepsOf(harness(), value.headers.get('x-rungate-run-id')!);
    expect(transition!.failoverContext!.attempted).toEqual([
      expect.objectContaining({ provider: 'groq', kind: 'request_timeout' }),
    ]);
  });

  it('a slow first byte within timeout_ms is waited for; past it, the call moves on', async () => {
    const s = await chain({ timeout_ms: 800, max_retries: 1 });
    groq.fake.enqueue({ delayMs: 300 });
    const slow = await timed(() => chat(s.openai));
    expect(slow.value.headers.get('x-rungate-provider')).toBe('groq');
    expect(slow.ms).toBeGreaterThanOrEqual(290);

    groq.fake.enqueue({ delayMs: 8_000 });
    const tooSlow = await timed(() => chat(s.openai));
    expect(tooSlow.value.headers.get('x-rungate-provider')).toBe('together');
    expect(tooSlow.ms).toBeLessThan(800 + SLACK_MS);
  });

  it('never holds a client past the timeouts when every provider hangs', async () => {
    const s = await chain({ timeout_ms: 400, max_retries: 1 });
    groq.fake.enqueue({ hang: true });
    together.fake.enqueue({ hang: true });
    const { value: failed, ms } = await timed(() => refusal(chat(s.openai)));
    // One timeout per provider of the chain, and nothing more.
    expect(ms).toBeLessThan(2 * 400 + SLACK_MS);
    expect(failed.status).toBe(502);
    expect(failed.body.error).toMatchObject({
      type: 'provider_error',
      details: [
        { provider: 'groq', kind: 'request_timeout' },
        { provider: 'together', kind: 'request_timeout' },
      ],
    });
    const [step] = await runStepsOf(harness(), failed.headers.get('x-rungate-run-id')!);
    expect(step).toMatchObject({ status: 'timeout', errorKind: 'request_timeout' });
  });

  it('a stream that stalls after its first byte is cut at timeout_ms (mid_stream_error)', async () => {
    const s = await chain({ timeout_ms: 600, max_retries: 1 });
    groq.fake.enqueue({ chunkDelayMs: 8_000 });
    const from = counts();
    const { value, ms } = await timed(async () => {
      const { data: stream, response } = await s.openai.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true })
        .withResponse();
      const chunks: unknown[] = [];
      for await (const chunk of stream) chunks.push(chunk);
      return { chunks, runId: response.headers.get('x-rungate-run-id')! };
    });
    expect(ms).toBeLessThan(600 + SLACK_MS);
    expect(value.chunks.length).toBeGreaterThanOrEqual(1);
    expect(since(from)).toEqual({ groq: 1, together: 0 });
    const [step] = await eventually(async () => {
      const steps = await runStepsOf(harness(), value.runId);
      expect(steps).toHaveLength(1);
      return steps;
    });
    expect(step).toMatchObject({
      type: 'llm_call',
      status: 'error',
      errorKind: 'mid_stream_error',
      provider: 'groq',
      failoverAttempts: 0,
    });
  });
});

describe('client leaving', () => {
  it('a client that leaves while a provider hangs ends the route: nothing further is called or charged', async () => {
    const s = await chain({ timeout_ms: 800, max_retries: 1 });
    groq.fake.enqueue({ hang: true });
    const from = counts();
    // A raw request, so the socket closes exactly when the test says (an SDK's pool may keep
    // a spare connection open).
    const request = httpRequest(`${harness().baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.agent.key}`, 'content-type': 'application/json' },
    });
    request.on('error', () => {});
    request.end(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }));
    await eventually(async () => expect(since(from).groq).toBe(1));
    request.destroy();
    const [step] = await eventually(async () => {
      const rows = await harness().services.deps.db.query.steps.findMany({
        where: (t, { eq }) => eq(t.agentId, s.agent.id),
      });
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(step).toMatchObject({
      type: 'llm_call',
      status: 'error',
      errorKind: 'client_disconnect',
      provider: 'groq',
      providerKeyId: groq.keyId,
      costUsd: '0.0000000000',
    });
    // Past the route's timeout: the second provider was never tried for the departed client.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(since(from)).toEqual({ groq: 1, together: 0 });
    expect(await harness().services.providerHealth.list(harness().ctx)).not.toContainEqual(
      expect.objectContaining({ provider_key_id: groq.keyId, failure_count: 1 }),
    );
  });
});

describe('sockets', () => {
  it('no connection stays open once the proxy and its pools are closed', async () => {
    const closing = harness();
    h = null;
    await closing.close();
    await eventually(async () => {
      expect(groq.fake.openConnections()).toBe(0);
      expect(together.fake.openConnections()).toBe(0);
    });
  });
});
