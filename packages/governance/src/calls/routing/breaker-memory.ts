import type { CircuitState } from '@rungate/contracts';
import {
  attemptTransition,
  type BreakerKey,
  type BreakerSettings,
  type BreakerSnapshot,
  type BreakerState,
  type BreakerStore,
  failureTransition,
  snapshotOf,
  successTransition,
} from './circuit-breaker.ts';

/**
 * Breaker state in this process (single node, tests). One entry per provider key the proxy has
 * used, so the map is bounded by the keys that exist.
 */
export class MemoryBreakerStore implements BreakerStore {
  readonly #states = new Map<string, BreakerState>();

  async canAttempt(keyId: string, settings: BreakerSettings, nowMs: number): Promise<boolean> {
    const { allowed, next } = attemptTransition(this.#states.get(keyId), settings, nowMs);
    if (next) this.#states.set(keyId, next);
    return allowed;
  }

  async recordSuccess(key: BreakerKey, nowMs: number): Promise<void> {
    this.#states.set(key.keyId, successTransition(this.#states.get(key.keyId), key, nowMs));
  }

  async recordFailure(key: BreakerKey, settings: BreakerSettings, nowMs: number): Promise<CircuitState> {
    const next = failureTransition(this.#states.get(key.keyId), key, settings, nowMs);
    this.#states.set(key.keyId, next);
    return next.state;
  }

  async snapshot(nowMs: number): Promise<BreakerSnapshot[]> {
    return [...this.#states.values()].map((s) => snapshotOf(s, nowMs));
  }
}
