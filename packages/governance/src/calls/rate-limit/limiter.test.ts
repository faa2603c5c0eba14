import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { RateLimiter } from './limiter.ts';
import { MemoryRateLimiter } from './memory.ts';
import { RedisRateLimiter } from './redis.ts';

const redisUrl = process.env.REDIS_URL;
const redis = redisUrl ? new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1 }) : null;
afterAll(async () => {
  await redis?.quit();
});

const limiters: [string, () => RateLimiter][] = [['memory', () => new MemoryRateLimiter()]];
if (redis) limiters.push(['redis', () => new RedisRateLimiter(redis, `rungate:test:${process.pid}:${Date.now()}`)]);

describe.each(limiters)('%s rate limiter', (_name, make) => {
  const t0 = 1_800_000_000_000; // a window boundary (divisible by 60 000)

  it('lets max_requests_per_minute through, then refuses with the time left in the window', async () => {
    const limiter = make();
    const limits = { max_requests_per_minute: 3 };
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.admit('a:p', limits, t0 + 10_000));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
    expect(results[3]).toEqual({ allowed: false, limit: 'requests', max: 3, retryAfterMs: 50_000 });
    expect((await limiter.admit('a:p', limits, t0 + 60_000)).allowed).toBe(true);
  });

  it('keeps counters per key (agent per policy)', async () => {
    const limiter = make();
    const limits = { max_requests_per_minute: 1 };
    expect((await limiter.admit('a:p1', limits, t0)).allowed).toBe(true);
    expect((await limiter.admit('a:p2', limits, t0)).allowed).toBe(true);
    expect((await limiter.admit('a:p1', limits, t0)).allowed).toBe(false);
  });

  it('refuses once the window has used max_tokens_per_minute', async () => {
    const limiter = make();
    const limits = { max_tokens_per_minute: 100 };
    expect((await limiter.admit('b:p', limits, t0)).allowed).toBe(true);
    await limiter.recordTokens('b:p', 100, t0 + 1);
    expect(await limiter.admit('b:p', limits, t0 + 30_000)).toEqual({
      allowed: false,
      limit: 'tokens',
      max: 100,
      retryAfterMs: 30_000,
    });
    expect((await limiter.admit('b:p', limits, t0 + 60_000)).allowed).toBe(true);
  });

  it('takes back a request it let through', async () => {
    const limiter = make();
    const limits = { max_requests_per_minute: 1 };
    expect((await limiter.admit('f:p', limits, t0)).allowed).toBe(true);
    await limiter.unadmit('f:p', t0);
    expect((await limiter.admit('f:p', limits, t0 + 1)).allowed).toBe(true);
    expect((await limiter.admit('f:p', limits, t0 + 2)).allowed).toBe(false);
  });

  it('lets exactly max_requests_per_minute of concurrent calls through, counting tokens waiting for the key', async () => {
    const limiter = make();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => limiter.admit(i % 2 ? 'g:p' : 'h:p', { max_requests_per_minute: 7 }, t0)),
    );
    expect(answers.filter((a, i) => a.allowed && i % 2 === 1)).toHaveLength(7);
    expect(answers.filter((a, i) => a.allowed && i % 2 === 0)).toHaveLength(7);

    await limiter.recordTokens('k:p', 100, t0);
    const limits = { max_tokens_per_minute: 100 };
    const [first, second] = await Promise.all([
      limiter.admit('k:p', limits, t0 + 1),
      limiter.admit('k:p', limits, t0 + 2),
    ]);
    expect([first.allowed, second.allowed]).toEqual([false, false]);
  });

  it('counts nothing when unlimited', async () => {
    const limiter = make();
    for (let i = 0; i < 50; i++) expect((await limiter.admit('c:p', {}, t0)).allowed).toBe(true);
  });
});

describe.runIf(redis)('redis rate limiter across instances', () => {
  const t0 = 1_800_000_000_000;

  it("counts an instance's own tokens at its next admission and shares them with other instances at the flush", async () => {
    const prefix = `rungate:test:${process.pid}:${Date.now()}:shared`;
    const a = new RedisRateLimiter(redis!, prefix, { flushMs: 60_000 });
    const b = new RedisRateLimiter(redis!, prefix, { flushMs: 60_000 });
    const limits = { max_tokens_per_minute: 100 };
    expect((await a.admit('d:p', limits, t0)).allowed).toBe(true);
    await a.recordTokens('d:p', 60, t0 + 1);
    await a.recordTokens('d:p', 40, t0 + 2);
    expect((await b.admit('d:p', limits, t0 + 3)).allowed).toBe(true);
    expect((await a.admit('d:p', limits, t0 + 4)).allowed).toBe(false);
    expect((await b.admit('d:p', limits, t0 + 5)).allowed).toBe(false);

    await b.recordTokens('e:p', 100, t0);
    expect((await a.admit('e:p', limits, t0 + 1)).allowed).toBe(true);
    await b.flush();
    expect((await a.admit('e:p', limits, t0 + 2)).allowed).toBe(false);
  });
});
