import { ProviderKeyHealth } from '@rungate/contracts';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../time/clock.ts';
import { MemoryBreakerStore } from './breaker-memory.ts';
import { RedisBreakerStore } from './breaker-redis.ts';
import { type BreakerSettings, type BreakerStore, toProviderKeyHealth } from './circuit-breaker.ts';

const redisUrl = process.env.REDIS_URL;
const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1 }) : null;
const testPrefix = `rungate:test:cb:${process.pid}:${Date.now()}`;
afterAll(async () => {
  if (!redis) return;
  const stale = [];
  for await (const batch of redis.scanStream({ match: `${testPrefix}:*`, count: 500 }))
    stale.push(...(batch as string[]));
  if (stale.length > 0) await redis.del(...stale);
  await redis.quit();
});

let run = 0;
const stores: [string, () => BreakerStore][] = [['memory', () => new MemoryBreakerStore()]];
if (redis) stores.push(['redis', () => new RedisBreakerStore(redis, `${testPrefix}:${run++}`)]);

const settings: BreakerSettings = {
  failure_threshold: 3,
  recovery_timeout_ms: 10_000,
  max_recovery_timeout_ms: 35_000,
};
const key = { keyId: 'k1', provider: 'openai' };

describe.each(stores)('%s breaker store', (_name, make) => {
  const setup = () => ({ store: make(), clock: new ManualClock() });
  const now = (clock: ManualClock) => clock.now().getTime();
  const fail = async (store: BreakerStore, clock: ManualClock, times = 1) => {
    let state = '';
    for (let i = 0; i < times; i++) state = await store.recordFailure(key, settings, now(clock));
    return state;
  };

  it('lets an unknown key through and tracks nothing until an outcome', async () => {
    const { store, clock } = setup();
    expect(await store.canAttempt('k1', settings, now(clock))).toBe(true);
    expect(await store.snapshot(now(clock))).toEqual([]);
  });

  it('opens after failure_threshold consecutive failures and refuses until the cool-down ends', async () => {
    const { store, clock } = setup();
    expect(await fail(store, clock, 2)).toBe('closed');
    expect(await store.canAttempt('k1', settings, now(clock))).toBe(true);
    const t0 = now(clock);
    expect(await fail(store, clock)).toBe('open');
    expect(await store.canAttempt('k1', settings, now(clock))).toBe(false);
    clock.advance(9_999);
    expect(await store.canAttempt('k1', settings, now(clock))).toBe(false);
    expect(await store.snapshot(now(clock))).toEqual([
      {
        keyId: 'k1',
        provider: 'openai',
        state: 'open',
        failureCount: 3,
        openedAt: t0,
        recoveryAt: t0 + 10_000,
        recoveryTimeoutMs: 10_000,
        lastFailureAt: t0,
        lastSuccessAt: null,
      },
    ]);
  });

  it('a late failure while open counts but does not push the probe back', async () => {
    const { store, clock } = setup();
    await fail(store, clock, 3);
    const opened = now(clock);
    clock.advance(5_000);
    expect(await fail(store, clock)).toBe('open');
    expect((await store.snapshot(now(clock)))[0]).toMatchObject({
      failureCount: 4,
      openedAt: opened,
      recoveryAt: opened + 10_000,
      lastFailureAt: now(clock),
    });
  });

  it('a success resets the consecutive count', async () => {
    const { store, clock } = setup();
    await fail(store, clock, 2);
    await store.recordSuccess(key, now(clock));
    expect(await fail(store, clock, 2)).toBe('closed');
    expect((await store.snapshot(now(clock)))[0]).toMatchObject({ state: 'closed', failureCount: 2 });
  });

  it('lets one probe through when half-open, and a success closes and resets', async () => {
    const { store, clock } = setup();
    await fail(store, clock, 3);
    clock.advance(10_000);
    expect((await store.snapshot(now(clock)))[0]!.state).toBe('half_open');
    expect(await store.canAttempt('k1', settings, now(clock))).toBe(true);
    expect(await store.canAttempt('k1', settings, now(clock))).toBe(false);
    const t = now(clock);
    await store.recordSuccess(key, t);
    expect(await store.canAttempt('k1', settings, now(clock))).toBe(true);
    expect(await store.snapshot(now(clock))).toEqual([
      {
        keyId: 'k1',
        provider: 'openai',
        state: 'closed',
        failureCount: 0,
        openedAt: null,
        recoveryAt: null,
        recoveryTimeoutMs: null,
        lastFailureAt: t - 10_000,
        lastSuccessAt: t,
      },
    ]);
    // Reset: it takes the full threshold again, and the first cool-down is the base one.
    expect(await fail(store, clock, 2)).toBe('closed');
    expect(await fail(store, clock)).toBe('open');
    expect((await store.snapshot(now(clock)))[0]!.recoveryTimeoutMs).toBe(10_000);
  });

  it('doubles the cool-down on each failed probe, up to the cap', async () => {
    const { store, clock } = setup();
    await fail(store, clock, 3);
    const timeouts: number[] = [];
    for (let i = 0; i < 4; i++) {
      const { recoveryTimeoutMs } = (await store.snapshot(now(clock)))[0]!;
      clock.advance(recoveryTimeoutMs! - 1);
      expect(await store.canAttempt('k1', settings, now(clock))).toBe(false);
      clock.advance(1);
      expect(await store.canAttempt('k1', settings, now(clock))).toBe(true);
      expect(await fail(store, clock)).toBe('open');
      const after = (await store.snapshot(now(clock)))[0]!;
      expect(after).toMatchObject({
        state: 'open',
        openedAt: now(clock),
        recoveryAt: now(clock) + after.recoveryTimeoutMs!,
      });
      timeouts.push(after.recoveryTimeoutMs!);
    }
    expect(timeouts).toEqual([20_000, 35_000, 35_000, 35_000]);
  });

  it('hands the probe to another caller when its outcome never comes back', async () => {
    const { store, clock } = setup();
    await fail(store, clock, 3);
    clock.advance(10_000);
    expect(await store.canAttempt('k1', settings, now(clock))).toBe(true);
    clock.advance(9_999);
    expect(await store.canAttempt('k1', settings, now(clock))).toBe(false);
    clock.advance(1);
    expect(await store.canAttempt('k1', settings, now(clock))).toBe(true);
  });

  it('never opens with failure_threshold 0, but still counts failures', async () => {
    const { store, clock } = setup();
    const off = { ...settings, failure_threshold: 0 };
    for (let i = 0; i < 10; i++) expect(await store.recordFailure(key, off, now(clock))).toBe('closed');
    expect(await store.canAttempt('k1', off, now(clock))).toBe(true);
    expect((await store.snapshot(now(clock)))[0]).toMatchObject({ state: 'closed', failureCount: 10 });
  });

  it('keeps keys apart and reports each as the health endpoint expects', async () => {
    const { store, clock } = setup();
    await fail(store, clock, 3);
    await store.recordSuccess({ keyId: 'k2', provider: 'anthropic' }, now(clock));
    expect(await store.canAttempt('k2', settings, now(clock))).toBe(true);
    const health = (await store.snapshot(now(clock)))
      .map(toProviderKeyHealth)
      .sort((a, b) => a.provider_key_id.localeCompare(b.provider_key_id));
    const iso = clock.now().toISOString();
    expect(health).toEqual([
      {
        provider_key_id: 'k1',
        provider: 'openai',
        state: 'open',
        failure_count: 3,
        last_failure_at: iso,
        last_success_at: null,
        opened_at: iso,
        recovery_at: new Date(now(clock) + 10_000).toISOString(),
      },
      {
        provider_key_id: 'k2',
        provider: 'anthropic',
        state: 'closed',
        failure_count: 0,
        last_failure_at: null,
        last_success_at: iso,
        opened_at: null,
        recovery_at: null,
      },
    ]);
    for (const item of health) expect(ProviderKeyHealth.parse(item)).toEqual(item);
  });
});

describe.runIf(redis)('redis breaker store across instances', () => {
  it('shares one circuit and grants a single probe among concurrent instances', async () => {
    const prefix = `${testPrefix}:shared`;
    const a = new RedisBreakerStore(redis!, prefix);
    const b = new RedisBreakerStore(redis!, prefix);
    const clock = new ManualClock();
    const t = clock.now().getTime();
    await Promise.all([
      a.recordFailure(key, settings, t),
      b.recordFailure(key, settings, t),
      a.recordFailure(key, settings, t),
    ]);
    expect(await b.canAttempt('k1', settings, t)).toBe(false);
    const probes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).canAttempt('k1', settings, t + 10_000)),
    );
    expect(probes.filter(Boolean)).toHaveLength(1);
  });

  it('trusts a healthy answer for freshnessMs, sees another instance open the circuit after it, and sees its own failures at once', async () => {
    const prefix = `${testPrefix}:fresh`;
    const a = new RedisBreakerStore(redis!, prefix, { freshnessMs: 1_000 });
    const b = new RedisBreakerStore(redis!, prefix, { freshnessMs: 1_000 });
    const t = new ManualClock().now().getTime();
    expect(await b.canAttempt('k1', settings, t)).toBe(true);
    for (let i = 0; i < 3; i++) await a.recordFailure(key, settings, t);
    expect(await a.canAttempt('k1', settings, t)).toBe(false);
    expect(await b.canAttempt('k1', settings, t + 999)).toBe(true);
    expect(await b.canAttempt('k1', settings, t + 1_000)).toBe(false);

    const c = new RedisBreakerStore(redis!, `${testPrefix}:fresh-own`, { freshnessMs: 1_000 });
    expect(await c.canAttempt('k1', settings, t)).toBe(true);
    for (let i = 0; i < 3; i++) await c.recordFailure(key, settings, t + 1);
    expect(await c.canAttempt('k1', settings, t + 2)).toBe(false);
  });

  it('writes a success to a healthy circuit at most once per freshnessMs', async () => {
    const store = new RedisBreakerStore(redis!, `${testPrefix}:success`, { freshnessMs: 1_000 });
    const t = new ManualClock().now().getTime();
    const lastSuccess = async () => (await store.snapshot(t + 5_000)).find((s) => s.keyId === 'k1')?.lastSuccessAt;
    await store.canAttempt('k1', settings, t);
    await store.recordSuccess(key, t);
    await store.recordSuccess(key, t + 500);
    expect(await lastSuccess()).toBe(t);
    await store.canAttempt('k1', settings, t + 1_000);
    await store.recordSuccess(key, t + 1_000);
    expect(await lastSuccess()).toBe(t + 1_000);
  });
});
