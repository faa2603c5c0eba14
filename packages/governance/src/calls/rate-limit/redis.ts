import type { Redis, Result } from 'ioredis';
import { naturalBatches } from '../batching/natural-batches.ts';
import { type RateDecision, type RateLimiter, type RateLimits, WINDOW_MS, windowOf } from './limiter.ts';

interface Admission {
  key: string;
  limits: RateLimits;
  nowMs: number;
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    rungateAdmit(
      requestsKey: string,
      tokensKey: string,
      maxRequests: number,
      maxTokens: number,
      ttlMs: number,
      pendingTokens: number,
    ): Result<[number, number], Context>;
  }
}

/**
 * Adds the tokens this instance used since its last call for the key, then checks both limits
 * and counts the request, in one atomic step, so N instances share one limit.
 */
const ADMIT = `
local maxRequests = tonumber(ARGV[1])
local maxTokens = tonumber(ARGV[2])
local pending = tonumber(ARGV[4])
if pending > 0 then
  redis.call('INCRBY', KEYS[2], pending)
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
if maxTokens >= 0 and tonumber(redis.call('GET', KEYS[2]) or '0') >= maxTokens then return {0, 2} end
if maxRequests >= 0 and tonumber(redis.call('GET', KEYS[1]) or '0') >= maxRequests then return {0, 1} end
if redis.call('INCR', KEYS[1]) == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return {1, 0}
`;

/**
 * Limiter shared by every proxy instance through Redis (used when REDIS_URL is set).
 *
 * A call's tokens are known only after it, and a round trip per call just to add them would
 * double the limiter's cost. So they wait in process and travel with this instance's next
 * admission for the same key (added before that admission is checked, so an instance always
 * counts its own usage), or with a flush every `flushMs` for the other instances to see.
 */
export class RedisRateLimiter implements RateLimiter {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #flushMs: number;
  /** Tokens used but not yet in Redis, per tokens counter key (which names its window). */
  readonly #pending = new Map<string, number>();
  #flushTimer: NodeJS.Timeout | null = null;

  constructor(redis: Redis, prefix = 'rungate:rl', options: { flushMs?: number } = {}) {
    this.#redis = redis;
    this.#prefix = prefix;
    this.#flushMs = options.flushMs ?? 1_000;
    redis.defineCommand('rungateAdmit', { numberOfKeys: 2, lua: ADMIT });
  }

  #keys(key: string, nowMs: number) {
    const { start } = windowOf(nowMs);
    return { requests: `${this.#prefix}:${key}:${start}:r`, tokens: `${this.#prefix}:${key}:${start}:t` };
  }

  admit(key: string, limits: RateLimits, nowMs: number): Promise<RateDecision> {
    return this.#admitBatched({ key, limits, nowMs });
  }

  /**
   * Admissions of concurrent calls travel in one pipeline (`naturalBatches`). Each takes the
   * tokens waiting for its key as its script is queued, so an instance's own usage is counted
   * before its next admission is checked.
   */
  readonly #admitBatched = naturalBatches<Admission, RateDecision>(async (batch) => {
    const pipeline = this.#redis.pipeline();
    const sent = batch.map(({ item: { key, limits, nowMs } }) => {
      const keys = this.#keys(key, nowMs);
      const maxRequests = limits.max_requests_per_minute ?? -1;
      const maxTokens = limits.max_tokens_per_minute ?? -1;
      const pending = this.#pending.get(keys.tokens) ?? 0;
      this.#pending.delete(keys.tokens);
      pipeline.rungateAdmit(keys.requests, keys.tokens, maxRequests, maxTokens, WINDOW_MS * 2, pending);
      return { keys, maxRequests, maxTokens, pending };
    });
    let results: [Error | null, unknown][];
    try {
      results = (await pipeline.exec()) ?? [];
    } catch (error) {
      for (const { keys, pending } of sent) this.#add(keys.tokens, pending);
      throw error;
    }
    batch.forEach((waiting, i) => {
      const entry = sent[i];
      if (entry === undefined) {
        waiting.reject(new Error('An admission was not sent to Redis'));
        return;
      }
      const { keys, maxRequests, maxTokens, pending } = entry;
      const [error, answer] = results[i] ?? [new Error('Redis answered no result for an admission'), null];
      if (error) {
        this.#add(keys.tokens, pending);
        waiting.reject(error);
        return;
      }
      const [allowed, which] = answer as [number, number];
      if (allowed === 1) {
        waiting.resolve({ allowed: true });
        return;
      }
      const { retryAfterMs } = windowOf(waiting.item.nowMs);
      waiting.resolve(
        which === 2
          ? { allowed: false, limit: 'tokens', max: maxTokens, retryAfterMs }
          : { allowed: false, limit: 'requests', max: maxRequests, retryAfterMs },
      );
    });
  });

  async recordTokens(key: string, tokens: number, nowMs: number): Promise<void> {
    this.#add(this.#keys(key, nowMs).tokens, tokens);
  }

  async unadmit(key: string, nowMs: number): Promise<void> {
    await this.#redis.decr(this.#keys(key, nowMs).requests);
  }

  /** Writes every waiting count to Redis (also run every `flushMs` while counts wait). */
  async flush(): Promise<void> {
    if (this.#pending.size === 0) return;
    const batch = [...this.#pending];
    this.#pending.clear();
    const pipeline = this.#redis.pipeline();
    for (const [tokensKey, tokens] of batch) pipeline.incrby(tokensKey, tokens).pexpire(tokensKey, WINDOW_MS * 2);
    try {
      await pipeline.exec();
    } catch (error) {
      for (const [tokensKey, tokens] of batch) this.#add(tokensKey, tokens);
      throw error;
    }
  }

  #add(tokensKey: string, tokens: number): void {
    if (tokens <= 0) return;
    this.#pending.set(tokensKey, (this.#pending.get(tokensKey) ?? 0) + tokens);
    if (this.#flushTimer) return;
    this.#flushTimer = setTimeout(() => {
      this.#flushTimer = null;
      // A failed flush keeps its counts for the next admission or flush; Redis being away is
      // reported by the admissions themselves.
      this.flush().catch(() => undefined);
    }, this.#flushMs);
    this.#flushTimer.unref();
  }
}
