import type { CircuitState } from '@rungate/contracts';
import type { BreakerKey, BreakerSettings, BreakerSnapshot, BreakerStore } from '../routing/circuit-breaker.ts';
import type { SharedStateGuard } from './guard.ts';

/** A shared (Redis) breaker store that falls back to this process's own circuits while Redis is down. */
export class GuardedBreakerStore implements BreakerStore {
  readonly #shared: BreakerStore;
  readonly #local: BreakerStore;
  readonly #guard: SharedStateGuard;

  constructor(shared: BreakerStore, local: BreakerStore, guard: SharedStateGuard) {
    this.#shared = shared;
    this.#local = local;
    this.#guard = guard;
  }

  canAttempt(keyId: string, settings: BreakerSettings, nowMs: number): Promise<boolean> {
    return this.#guard.run(
      () => this.#shared.canAttempt(keyId, settings, nowMs),
      () => this.#local.canAttempt(keyId, settings, nowMs),
    );
  }

  recordSuccess(key: BreakerKey, nowMs: number): Promise<void> {
    return this.#guard.run(
      () => this.#shared.recordSuccess(key, nowMs),
      () => this.#local.recordSuccess(key, nowMs),
    );
  }

  recordFailure(key: BreakerKey, settings: BreakerSettings, nowMs: number): Promise<CircuitState> {
    return this.#guard.run(
      () => this.#shared.recordFailure(key, settings, nowMs),
      () => this.#local.recordFailure(key, settings, nowMs),
    );
  }

  snapshot(nowMs: number): Promise<BreakerSnapshot[]> {
    return this.#guard.run(
      () => this.#shared.snapshot(nowMs),
      () => this.#local.snapshot(nowMs),
    );
  }
}
