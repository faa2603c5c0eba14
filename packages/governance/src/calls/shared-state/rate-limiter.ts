import type { RateDecision, RateLimiter, RateLimits } from '../rate-limit/limiter.ts';
import type { SharedStateGuard } from './guard.ts';

/** A shared (Redis) limiter that falls back to this process's own counts while Redis is down. */
export class GuardedRateLimiter implements RateLimiter {
  readonly #shared: RateLimiter;
  readonly #local: RateLimiter;
  readonly #guard: SharedStateGuard;

  constructor(shared: RateLimiter, local: RateLimiter, guard: SharedStateGuard) {
    this.#shared = shared;
    this.#local = local;
    this.#guard = guard;
  }

  admit(key: string, limits: RateLimits, nowMs: number): Promise<RateDecision> {
    return this.#guard.run(
      () => this.#shared.admit(key, limits, nowMs),
      () => this.#local.admit(key, limits, nowMs),
    );
  }

  recordTokens(key: string, tokens: number, nowMs: number): Promise<void> {
    return this.#guard.run(
      () => this.#shared.recordTokens(key, tokens, nowMs),
      () => this.#local.recordTokens(key, tokens, nowMs),
    );
  }

  unadmit(key: string, nowMs: number): Promise<void> {
    return this.#guard.run(
      () => this.#shared.unadmit(key, nowMs),
      () => this.#local.unadmit(key, nowMs),
    );
  }
}
