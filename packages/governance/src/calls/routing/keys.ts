import type { AgentProviderKeys, LoadBalancing } from '@rungate/contracts';

type Binding = AgentProviderKeys[string];

/** A uniform random number in [0, 1); injected so weighted picks are reproducible in tests. */
export type Random = () => number;

/** Per-call counters for round robin; in memory per instance (see `MemoryRoundRobinCounters`). */
export interface RoundRobinCounters {
  /** The current count for `name` (0 first), then increments it. */
  next(name: string): number;
}

/**
 * Round robin only needs each instance to spread its own calls: sharing the counter across
 * instances would cost a Redis round trip per call for no better balance.
 */
export class MemoryRoundRobinCounters implements RoundRobinCounters {
  readonly #counts = new Map<string, number>();
  readonly #max: number;
  constructor(maxNames = 10_000) {
    this.#max = maxNames;
  }
  next(name: string): number {
    const n = this.#counts.get(name) ?? 0;
    if (n === 0 && this.#counts.size >= this.#max) this.#counts.clear();
    this.#counts.set(name, n + 1);
    return n;
  }
}

export interface KeyOrderDeps {
  counters: RoundRobinCounters;
  random: Random;
}

/**
 * The order to try one provider's keys in: the first is the key the call goes to, the rest
 * are its failover within that provider. `failover` keeps the listed order; `round_robin`
 * starts one further along the list on each call (counted per `counterName`); `weighted` draws
 * the order by weight without replacement, so the first key is chosen in proportion to its
 * weight. A single key id is its own order under every strategy.
 */
export function orderKeys(
  binding: Binding | undefined,
  strategy: LoadBalancing,
  counterName: string,
  deps: KeyOrderDeps,
): string[] {
  if (binding === undefined) return [];
  if (typeof binding === 'string') return [binding];
  if (binding.length < 2 || strategy === 'failover') return binding.map((k) => k.key_id);
  if (strategy === 'round_robin') {
    const start = deps.counters.next(counterName) % binding.length;
    return [...binding.slice(start), ...binding.slice(0, start)].map((k) => k.key_id);
  }
  return weightedOrder(binding, deps.random);
}

function weightedOrder(keys: readonly { key_id: string; weight: number }[], random: Random): string[] {
  const left = [...keys];
  let total = 0;
  for (const k of left) total += k.weight;
  const ids: string[] = [];
  while (left.length > 0) {
    let draw = random() * total;
    let i = 0;
    // The last key takes any remainder, so float rounding can never fall off the end.
    for (const k of left.slice(0, -1)) {
      if (draw < k.weight) break;
      draw -= k.weight;
      i++;
    }
    for (const picked of left.splice(i, 1)) {
      ids.push(picked.key_id);
      total -= picked.weight;
    }
  }
  return ids;
}
