import type { Redis, Result } from 'ioredis';
import { type RateDecision, type RateLimiter, type RateLimits, WINDOW_MS, windowOf } from './limiter.ts';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    rungateAdmit(requestsKey: string, tokensKey: string, maxRequests: number, maxTokens: number, ttlMs: number): Result<[number, number], Context>;
  }
}

/** Checks both limits and counts the request in one atomic step, so N instances share one limit. */
const ADMIT = `
local maxRequests = tonumber(ARGV[1])
local maxTokens = tonumber(ARGV[2])
if maxTokens >= 0 and tonumber(redis.call('GET', KEYS[2]) or '0') >= maxTokens then return {0, 2} end
if maxRequests >= 0 and tonumber(redis.call('GET', KEYS[1]) or '0') >= maxRequests then return {0, 1} end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, 0}
`;

/** Limiter shared by every proxy instance through Redis (used when REDIS_URL is set). */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix = 'rungate:rl') {
    this.#redis = redis;
    this.#prefix = prefix;
    redis.defineCommand('rungateAdmit', { numberOfKeys: 2, lua: ADMIT });
  }

  #keys(key: string, nowMs: number) {
    const { start } = windowOf(nowMs);
    return { requests: `${this.#prefix}:${key}:${start}:r`, tokens: `${this.#prefix}:${key}:${start}:t` };
  }

  async admit(key: string, limits: RateLimits, nowMs: number): Promise<RateDecision> {
    const keys = this.#keys(key, nowMs);
    const maxRequests = limits.max_requests_per_minute ?? -1;
    const maxTokens = limits.max_tokens_per_minute ?? -1;
    const [allowed, which] = await this.#redis.rungateAdmit(keys.requests, keys.tokens, maxRequests, maxTokens, WINDOW_MS * 2);
    if (allowed === 1) return { allowed: true };
    const { retryAfterMs } = windowOf(nowMs);
    return which === 2 ? { allowed: false, limit: 'tokens', max: maxTokens, retryAfterMs } : { allowed: false, limit: 'requests', max: maxRequests, retryAfterMs };
  }

  async recordTokens(key: string, tokens: number, nowMs: number): Promise<void> {
    if (tokens <= 0) return;
    const { tokens: tokensKey } = this.#keys(key, nowMs);
    await this.#redis.multi().incrby(tokensKey, tokens).pexpire(tokensKey, WINDOW_MS * 2).exec();
  }
}
