import { type CuttableProxy, startCuttableProxy } from '@rungate/db/testing';
import { REDIS_CLIENT_OPTIONS, type RedisFailureMode, sharedStateOverRedis } from '@rungate/governance';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { agentRuns, chatBody, eventually, post } from './support/calls.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';

const redisUrl = process.env.REDIS_URL;

describe.runIf(redisUrl)('Redis unreachable', () => {
  let h: ProxyHarness;
  let forwarder: CuttableProxy;
  let redis: Redis;
  afterEach(async () => {
    await h?.close();
    redis?.disconnect();
    await forwarder?.close();
  });

  async function governedOverRedis(mode: RedisFailureMode) {
    forwarder = await startCuttableProxy(redisUrl!);
    redis = new Redis(forwarder.url, REDIS_CLIENT_OPTIONS);
    redis.on('error', () => undefined);
    await new Promise((resolve) => redis.once('ready', resolve));
    const shared = sharedStateOverRedis(redis, { mode, warn: () => undefined });
    h = await createProxyHarness({
      policy: { rate_limits: { max_requests_per_minute: 1_000 }, budget: { hard_limit_usd: 10 } },
      rateLimiter: shared.rateLimiter,
      breakers: shared.breakers,
    });
    expect((await post(h, '/v1/chat/completions', chatBody())).status).toBe(200);
    return shared;
  }

  async function timed(call: () => Promise<Awaited<ReturnType<typeof post>>>) {
    const started = Date.now();
    const answer = await call();
    return { ...answer, ms: Date.now() - started };
  }

  it('by default serves calls within a second on per-process limits and breakers, then shares again', async () => {
    const shared = await governedOverRedis('open');
    forwarder.cut();
    const served = await timed(() => post(h, '/v1/chat/completions', chatBody()));
    expect(served.status).toBe(200);
    expect(served.ms).toBeLessThan(1_000);
    expect(shared.health()).toBe('degraded');

    forwarder.restore();
    await eventually(async () => {
      expect((await post(h, '/v1/chat/completions', chatBody())).status).toBe(200);
      expect(shared.health()).toBe('connected');
    }, 5_000);
  });

  it('with RUNGATE_REDIS_FAILURE=closed refuses governed calls with 503 within a second and holds nothing', async () => {
    const shared = await governedOverRedis('closed');
    forwarder.cut();
    const forwarded = h.fake.requests.length;
    const refused = await timed(() => post(h, '/v1/chat/completions', chatBody()));
    expect(refused.status).toBe(503);
    expect(refused.body).toMatchObject({ error: { type: 'service_unavailable' } });
    expect(refused.ms).toBeLessThan(1_000);
    expect(h.fake.requests.length).toBe(forwarded);
    for (const run of await agentRuns(h)) expect(Number(run.reservedUsd)).toBe(0);

    forwarder.restore();
    await eventually(async () => {
      expect((await post(h, '/v1/chat/completions', chatBody())).status).toBe(200);
      expect(shared.health()).toBe('connected');
    }, 5_000);
  });
});
