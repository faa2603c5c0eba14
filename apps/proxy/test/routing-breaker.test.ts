import { randomUUID } from 'node:crypto';
import { ListRunStepsQuery, Step } from '@rungate/contracts';
import { type BreakerStore, ManualClock, MemoryBreakerStore, RedisBreakerStore } from '@rungate/governance';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat } from './support/calls.ts';
import type { FakeProvider } from './support/fake-provider.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';
import { extraProvider, routingScenario, runStepsOf } from './support/routing.ts';

/**
 * The circuit breaker through the proxy, on a ManualClock: `groq` fails, `together` answers.
 * With REDIS_URL set the breaker state lives in Redis (shared by every proxy instance).
 */
const redisUrl = process.env.REDIS_URL;
const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1 }) : null;
const store = (): BreakerStore =>
  redis ? new RedisBreakerStore(redis, `rungate:test:proxy-breaker:${randomUUID()}`) : new MemoryBreakerStore();

const START = Date.UTC(2026, 0, 1, 12);
const clock = new ManualClock(START);
let h: ProxyHarness;
let groq: { fake: FakeProvider; keyId: string };
let together: { fake: FakeProvider; keyId: string };

beforeAll(async () => {
  h = await createProxyHarness({ clock, breakers: store() });
  groq = await extraProvider(h, 'groq');
  together = await extraProvider(h, 'together');
});
afterAll(async () => {
  await h?.close();
  await groq?.fake.close();
  await together?.fake.close();
  await redis?.quit();
});

const iso = (ms: number) => new Date(ms).toISOString();
const healthOf = async (keyId: string) =>
  (await h.services.providerHealth.list(h.ctx)).find((entry) => entry.provider_key_id === keyId);

describe('circuit breaker through the proxy', () => {
  it('opens after failure_threshold failures, probes after the cool-down, doubles up to the cap, closes on success', async () => {
    const s = await routingScenario(
      h,
      {
        routing: {
          default_chain: ['groq', 'together'],
          retry_on: [500],
          max_retries: 1,
          circuit_breaker: { failure_threshold: 2, recovery_timeout_ms: 1_000, max_recovery_timeout_ms: 4_000 },
        },
      },
      { provider_keys: { groq: groq.keyId, together: together.keyId } },
    );
    groq.fake.setBehavior({ status: 500 });
    /** One call: which providers it reached (by request counts) and who answered. */
    const call = async () => {
      const before = { groq: groq.fake.requests.length, together: together.fake.requests.length };
      const { headers } = await chat(s.openai);
      return {
        groq: groq.fake.requests.length - before.groq,
        together: together.fake.requests.length - before.together,
        provider: headers.get('x-rungate-provider'),
        runId: headers.get('x-rungate-run-id')!,
      };
    };

    expect(await call()).toMatchObject({ groq: 1, together: 1 });
    expect(await healthOf(groq.keyId)).toMatchObject({
      state: 'closed',
      failure_count: 1,
      last_failure_at: iso(START),
      opened_at: null,
    });
    expect(await call()).toMatchObject({ groq: 1, together: 1 });
    expect(await healthOf(groq.keyId)).toEqual({
      provider_key_id: groq.keyId,
      provider: 'groq',
      state: 'open',
      failure_count: 2,
      last_failure_at: iso(START),
      last_success_at: null,
      opened_at: iso(START),
      recovery_at: iso(START + 1_000),
    });

    // Open: the key is skipped, nothing reaches its provider.
    const skipped = await call();
    expect(skipped).toMatchObject({ groq: 0, together: 1, provider: 'together' });
    // The clock stands still, so the calls share one implicit run: this call's transition is the last.
    const transition = (await runStepsOf(h, skipped.runId))
      .filter((step) => step.type === 'failover_transition')
      .at(-1);
    expect(transition!.failoverContext!.attempted).toEqual([
      { provider: 'groq', provider_key_id: groq.keyId, error: 'Circuit open: key skipped', kind: 'circuit_open' },
    ]);

    // Cool-down over: reported half-open, one probe goes through and fails -> open for 2 s.
    clock.advance(1_000);
    expect((await healthOf(groq.keyId))!.state).toBe('half_open');
    expect(await call()).toMatchObject({ groq: 1, together: 1 });
    expect(await healthOf(groq.keyId)).toMatchObject({
      state: 'open',
      failure_count: 3,
      opened_at: iso(START + 1_000),
      recovery_at: iso(START + 3_000),
    });
    clock.advance(1_000);
    expect(await call()).toMatchObject({ groq: 0, together: 1 });
    clock.advance(1_000);
    expect(await call()).toMatchObject({ groq: 1, together: 1 });
    expect(await healthOf(groq.keyId)).toMatchObject({
      state: 'open',
      failure_count: 4,
      recovery_at: iso(START + 3_000 + 4_000),
    });
    // Capped at max_recovery_timeout_ms: the next failed probe waits 4 s again, not 8 s.
    clock.advance(4_000);
    expect(await call()).toMatchObject({ groq: 1, together: 1 });
    expect(await healthOf(groq.keyId)).toMatchObject({
      state: 'open',
      failure_count: 5,
      opened_at: iso(START + 7_000),
      recovery_at: iso(START + 11_000),
    });

    // A successful probe closes the circuit.
    groq.fake.setBehavior({});
    clock.advance(4_000);
    expect(await call()).toMatchObject({ groq: 1, together: 0, provider: 'groq' });
    expect(await healthOf(groq.keyId)).toMatchObject({
      state: 'closed',
      failure_count: 0,
      last_success_at: iso(START + 11_000),
      last_failure_at: iso(START + 7_000),
      opened_at: null,
      recovery_at: null,
    });
    expect(await call()).toMatchObject({ groq: 1, together: 0 });
  });

  it('records a key skipped for its open circuit as a circuit_open attempt, without a status', async () => {
    const down = await extraProvider(h, 'deepseek');
    try {
      const s = await routingScenario(
        h,
        {
          routing: {
            default_chain: ['deepseek', 'together'],
            retry_on: [500],
            max_retries: 1,
            circuit_breaker: { failure_threshold: 1, recovery_timeout_ms: 60_000 },
          },
        },
        { provider_keys: { deepseek: down.keyId, together: together.keyId } },
      );
      down.fake.setBehavior({ status: 500 });
      expect((await chat(s.openai)).headers.get('x-rungate-provider')).toBe('together');
      expect((await healthOf(down.keyId))!.state).toBe('open');

      const before = down.fake.requests.length;
      const runId = randomUUID();
      const { headers } = await chat(s.openai, {}, { 'x-rungate-run-id': runId });
      expect(headers.get('x-rungate-provider')).toBe('together');
      expect(down.fake.requests.length).toBe(before);
      const [transition, answered, ...rest] = await runStepsOf(h, runId);
      expect(rest).toEqual([]);
      expect(transition).toMatchObject({
        type: 'failover_transition',
        status: 'error',
        errorKind: 'circuit_open',
        failoverAttempts: 1,
      });
      expect(transition!.failoverContext!.attempted).toEqual([
        { provider: 'deepseek', provider_key_id: down.keyId, error: 'Circuit open: key skipped', kind: 'circuit_open' },
      ]);
      expect(answered).toMatchObject({
        type: 'llm_call',
        status: 'success',
        provider: 'together',
        failoverAttempts: 1,
      });

      // As the API serves it, the transition step is valid under the contract.
      const { data } = await h.services.runs.steps(h.ctx, runId, ListRunStepsQuery.parse({}));
      expect(Step.parse(data[0]).failover_context!.attempted).toEqual([
        { provider: 'deepseek', provider_key_id: down.keyId, error: 'Circuit open: key skipped', kind: 'circuit_open' },
      ]);
    } finally {
      await down.fake.close();
    }
  });

  it('with every key of the route open, the call is refused without reaching a provider', async () => {
    const lone = await extraProvider(h, 'mistral');
    try {
      const s = await routingScenario(
        h,
        {
          routing: {
            default_chain: ['mistral'],
            retry_on: [500],
            max_retries: 1,
            circuit_breaker: { failure_threshold: 1, recovery_timeout_ms: 60_000 },
          },
        },
        { provider_keys: { mistral: lone.keyId } },
      );
      lone.fake.setBehavior({ status: 500 });
      await expect(chat(s.openai)).rejects.toMatchObject({ status: 502 });
      const before = lone.fake.requests.length;
      const refused = await chat(s.openai).catch((error: { status: number; error: unknown }) => error);
      expect(refused).toMatchObject({
        status: 502,
        error: {
          type: 'provider_error',
          message: 'Every provider key of this route has an open circuit; try again later',
        },
      });
      expect(lone.fake.requests.length).toBe(before);
    } finally {
      await lone.fake.close();
    }
  });

  it("a caller's mistake (400) is passed through and never opens the circuit", async () => {
    const picky = await extraProvider(h, 'cerebras');
    try {
      const s = await routingScenario(
        h,
        {
          routing: {
            default_chain: ['cerebras', 'together'],
            circuit_breaker: { failure_threshold: 1, recovery_timeout_ms: 60_000 },
          },
        },
        { provider_keys: { cerebras: picky.keyId, together: together.keyId } },
      );
      picky.fake.enqueue(
        { status: 400, errorMessage: 'messages: bad' },
        { status: 400, errorMessage: 'messages: bad' },
      );
      const before = together.fake.requests.length;
      await expect(chat(s.openai)).rejects.toMatchObject({ status: 400, error: { message: 'messages: bad' } });
      await expect(chat(s.openai)).rejects.toMatchObject({ status: 400 });
      expect(together.fake.requests.length).toBe(before);
      expect(await healthOf(picky.keyId)).toBeUndefined();
      expect((await chat(s.openai)).headers.get('x-rungate-provider')).toBe('cerebras');
    } finally {
      await picky.fake.close();
    }
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'a circuit opened through one proxy instance is open in the others',
    async () => {
      const shaky = await extraProvider(h, 'fireworks');
      const peer = await h.startPeerProxy();
      try {
        const s = await routingScenario(
          h,
          {
            routing: {
              default_chain: ['fireworks', 'together'],
              retry_on: [500],
              max_retries: 1,
              circuit_breaker: { failure_threshold: 1, recovery_timeout_ms: 60_000 },
            },
          },
          { provider_keys: { fireworks: shaky.keyId, together: together.keyId } },
        );
        shaky.fake.setBehavior({ status: 500 });
        expect((await chat(s.openai)).headers.get('x-rungate-provider')).toBe('together');
        const before = shaky.fake.requests.length;
        expect((await chat(peer.openai(s.agent.key))).headers.get('x-rungate-provider')).toBe('together');
        expect(shaky.fake.requests.length).toBe(before);
      } finally {
        await peer.close();
        await shaky.fake.close();
      }
    },
  );
});
