/**
 * Observed provider latency for `routing_preference: latency`: a rolling window of the most
 * recent successful calls per provider key, in this process only (each instance ranks by what
 * it sees; the figure is a preference, not a shared limit).
 */
export interface LatencyTracker {
  record(provider: string, keyId: string, latencyMs: number, nowMs: number): void;
  /** Median latency over the provider's recent samples (all its keys), or null when none. */
  p50(provider: string, nowMs: number): number | null;
}

export interface LatencyTrackerOptions {
  /** Samples kept per provider key. */
  samplesPerKey?: number;
  /** Samples older than this no longer count. */
  maxAgeMs?: number;
}

interface Ring {
  latencies: number[];
  times: number[];
  next: number;
}

interface Cached {
  value: number | null;
  version: number;
  computedAt: number;
}

// A median is recomputed at most this often while no sample arrives, so ages still expire.
const RECOMPUTE_MS = 1_000;

export class MemoryLatencyTracker implements LatencyTracker {
  readonly #size: number;
  readonly #maxAgeMs: number;
  readonly #rings = new Map<string, Map<string, Ring>>();
  readonly #versions = new Map<string, number>();
  readonly #cache = new Map<string, Cached>();

  constructor({ samplesPerKey = 64, maxAgeMs = 300_000 }: LatencyTrackerOptions = {}) {
    this.#size = samplesPerKey;
    this.#maxAgeMs = maxAgeMs;
  }

  record(provider: string, keyId: string, latencyMs: number, nowMs: number): void {
    let keys = this.#rings.get(provider);
    if (!keys) {
      keys = new Map();
      this.#rings.set(provider, keys);
    }
    let ring = keys.get(keyId);
    if (!ring) {
      ring = { latencies: [], times: [], next: 0 };
      keys.set(keyId, ring);
    }
    ring.latencies[ring.next] = latencyMs;
    ring.times[ring.next] = nowMs;
    ring.next = (ring.next + 1) % this.#size;
    this.#versions.set(provider, (this.#versions.get(provider) ?? 0) + 1);
  }

  p50(provider: string, nowMs: number): number | null {
    const version = this.#versions.get(provider) ?? 0;
    const cached = this.#cache.get(provider);
    if (cached && cached.version === version && nowMs - cached.computedAt < RECOMPUTE_MS) return cached.value;
    const value = this.#median(provider, nowMs);
    this.#cache.set(provider, { value, version, computedAt: nowMs });
    return value;
  }

  #median(provider: string, nowMs: number): number | null {
    const samples: number[] = [];
    for (const ring of this.#rings.get(provider)?.values() ?? []) {
      ring.latencies.forEach((latency, i) => {
        const at = ring.times[i];
        if (at !== undefined && nowMs - at <= this.#maxAgeMs) samples.push(latency);
      });
    }
    if (samples.length === 0) return null;
    samples.sort((a, b) => a - b);
    const mid = samples.length >> 1;
    const upper = samples[mid] ?? 0;
    return samples.length % 2 === 1 ? upper : ((samples[mid - 1] ?? upper) + upper) / 2;
  }
}
