import { randomUUID } from 'node:crypto';
import { type CuttableProxy, startCuttableProxy } from '@rungate/db/testing';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../errors.ts';
import { POLICY_DEFAULTS } from '../../resources/policies/defaults.ts';
import { SharedStateGuard, type SharedStateHealth } from './guard.ts';
import { REDIS_CLIENT_OPTIONS, sharedStateOverRedis } from './over-redis.ts';

const unreachable = () => Promise.reject(new Error("Stream isn't writeable and enableOfflineQueue options is false"));

describe('SharedStateGuard', () => {
  it('falls back to local state while the shared one is unreachable, and says so once each way', async () => {
    const changes: SharedStateHealth[] = [];
    const guard = new SharedStateGuard({ mode: 'open', onChange: (health) => changes.push(health) });
    expect(await guard.run(unreachable, async () => 'local')).toBe('local');
    expect(await guard.run(unreachable, async () => 'local')).toBe('local');
    expect(guard.health).toBe('degraded');
    expect(
      await guard.run(
        async () => 'shared',
        async () => 'local',
      ),
    ).toBe('shared');
    expect(guard.health).toBe('degraded');
    guard.reconnected();
    expect(guard.health).toBe('connected');
    expect(changes).toEqual(['degraded', 'connected']);
  });

  it('refuses with 503 in closed mode', async () => {
    const guard = new SharedStateGuard({ mode: 'closed' });
    const refused = await guard.run(unreachable, async () => 'local').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'service_unavailable', status: 503 });
  });

  it('surfaces an error Redis answered with instead of hiding it behind local state', async () => {
    const guard = new SharedStateGuard({ mode: 'open' });
    const reply = Object.assign(new Error('ERR Error running script'), { name: 'ReplyError' });
    await expect(
      guard.run(
        () => Promise.reject(reply),
        async () => 'local',
      ),
    ).rejects.toBe(reply);
    expect(guard.health).toBe('connected');
  });
});

const redisUrl = process.env.REDIS_URL;

describe.runIf(redisUrl)('rate limits over a Redis that goes away', () => {
  let forwarder: CuttableProxy;
  let redis: Redis;
  afterEach(async () => {
    redis?.disconnect();
    await forwarder?.close();
  });

  it('answers within a second on per-process counts, then shares again once Redis is back', async () => {
    forwarder = await startCuttableProxy(redisUrl!);
    redis = new Redis(forwarder.url, REDIS_CLIENT_OPTIONS);
    redis.on('error', () => undefined);
    const warnings: string[] = [];
    const shared = sharedStateOverRedis(redis, { mode: 'open', warn: (_error, message) => warnings.push(message) });
    const key = randomUUID();
    const limits = { max_requests_per_minute: 100 };
    const now = Date.now();
    await new Promise((resolve) => redis.once('ready', resolve));
    expect(await shared.rateLimiter.admit(key, limits, now)).toEqual({ allowed: true });

    forwarder.cut();
    const started = Date.now();
    expect(await shared.rateLimiter.admit(key, limits, now)).toEqual({ allowed: true });
    expect(await shared.breakers.canAttempt(key, POLICY_DEFAULTS.routing.circuit_breaker, now)).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(shared.health()).toBe('degraded');
    expect(warnings).toEqual(['redis unreachable: rate limits and circuit breakers run per process until it is back']);

    forwarder.restore();
    const deadline = Date.now() + 5_000;
    while (shared.health() === 'degraded' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await shared.rateLimiter.admit(key, limits, now);
    }
    expect(shared.health()).toBe('connected');
    expect(warnings.at(-1)).toBe('redis reachable again: limits and breakers are shared');
  });
});
