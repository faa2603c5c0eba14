import type { Clock } from '../time/clock.ts';

/**
 * A small read-through cache for the proxy's hot path. Entries live `ttlMs` and die at once when
 * the shared `generation` moves (any configuration change bumps it: made in this process, or
 * announced by another through `broadcastConfigChanges`), so an edit is seen by the next call;
 * `ttlMs` bounds staleness should an announcement be lost.
 */
export class TtlCache<K, V> {
  readonly #entries = new Map<K, { value: V; expiresAt: number; generation: number }>();
  readonly #ttlMs: number;
  readonly #clock: Clock;
  readonly #generation: () => number;
  readonly #maxEntries: number;

  constructor(options: { ttlMs: number; clock: Clock; generation: () => number; maxEntries?: number }) {
    this.#ttlMs = options.ttlMs;
    this.#clock = options.clock;
    this.#generation = options.generation;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  async get(key: K, load: () => Promise<V>): Promise<V> {
    const now = this.#clock.now().getTime();
    const generation = this.#generation();
    const hit = this.#entries.get(key);
    if (hit && hit.expiresAt > now && hit.generation === generation) return hit.value;
    const value = await load();
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    this.#entries.set(key, { value, expiresAt: now + this.#ttlMs, generation });
    return value;
  }
}

/** Counter of configuration changes; caches compare against it to drop stale entries. */
export class ConfigGeneration {
  #value = 0;
  readonly #listeners = new Set<() => void>();
  get value(): number {
    return this.#value;
  }
  /** A change made through this process: caches drop their entries, listeners hear of it. */
  bump(): void {
    this.#value += 1;
    for (const listener of this.#listeners) listener();
  }
  /** A change another process announced: caches drop their entries, nothing is announced again. */
  bumpFromPeer(): void {
    this.#value += 1;
  }
  /** Calls `listener` on every local change; returns the unsubscribe. */
  onBump(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
