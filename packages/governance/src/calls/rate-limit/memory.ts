import { type RateDecision, type RateLimiter, type RateLimits, windowOf } from './limiter.ts';

interface Counter {
  windowStart: number;
  requests: number;
  tokens: number;
}

/** Single-node limiter: counters in this process. */
export class MemoryRateLimiter implements RateLimiter {
  readonly #counters = new Map<string, Counter>();

  #counter(key: string, nowMs: number): Counter {
    const { start } = windowOf(nowMs);
    let counter = this.#counters.get(key);
    if (!counter || counter.windowStart !== start) {
      counter = { windowStart: start, requests: 0, tokens: 0 };
      this.#counters.set(key, counter);
      if (this.#counters.size > 10_000) this.#prune(start);
    }
    return counter;
  }

  #prune(currentStart: number): void {
    for (const [key, counter] of this.#counters) if (counter.windowStart !== currentStart) this.#counters.delete(key);
  }

  async admit(key: string, limits: RateLimits, nowMs: number): Promise<RateDecision> {
    const counter = this.#counter(key, nowMs);
    const { retryAfterMs } = windowOf(nowMs);
    const maxTokens = limits.max_tokens_per_minute;
    if (maxTokens != null && counter.tokens >= maxTokens)
      return { allowed: false, limit: 'tokens', max: maxTokens, retryAfterMs };
    const maxRequests = limits.max_requests_per_minute;
    if (maxRequests != null && counter.requests >= maxRequests)
      return { allowed: false, limit: 'requests', max: maxRequests, retryAfterMs };
    counter.requests += 1;
    return { allowed: true };
  }

  async recordTokens(key: string, tokens: number, nowMs: number): Promise<void> {
    this.#counter(key, nowMs).tokens += tokens;
  }

  async unadmit(key: string, nowMs: number): Promise<void> {
    const counter = this.#counter(key, nowMs);
    counter.requests = Math.max(0, counter.requests - 1);
  }
}
