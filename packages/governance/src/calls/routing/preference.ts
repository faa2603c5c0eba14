import type { RoutingPreference } from '@rungate/contracts';
import type { ModelPrice } from '../pricing/model-price.ts';
import { usdUnits } from '../pricing/money.ts';
import type { PriceBook } from '../pricing/price-book.ts';
import type { LatencyTracker } from './latency.ts';

interface Candidate {
  provider: string;
  resolvedModel: string;
}

// Price objects are shared by the price book across calls: sum each one's rates once.
const blended = new WeakMap<ModelPrice, bigint>();

/**
 * What ranks providers for `cost`: input plus output USD per million tokens at base rates.
 * Agent calls send far more input than they get back, but a single figure with both keeps a
 * model with cheap input and very dear output from ranking first.
 */
function costRank(price: ModelPrice): bigint {
  let units = blended.get(price);
  if (units === undefined) {
    units = usdUnits(price.input.perMillion) + usdUnits(price.output.perMillion);
    blended.set(price, units);
  }
  return units;
}

export interface PreferenceDeps {
  priceBook?: PriceBook;
  latency?: LatencyTracker;
}

/**
 * Reorders the chain for `cost` (cheapest mapped model first) or `latency` (lowest observed
 * p50 first). Providers with no price or no samples keep their chain order after the ranked
 * ones: an unknown is not assumed cheap or fast. Without the price book or tracker the chain
 * order stands.
 */
export function orderByPreference<T extends Candidate>(
  candidates: T[],
  preference: RoutingPreference,
  deps: PreferenceDeps,
  orgId: string | null,
  nowMs: number,
): T[] {
  if (candidates.length < 2 || preference === 'default') return candidates;
  if (preference === 'cost') {
    const { priceBook } = deps;
    if (!priceBook) return candidates;
    return stableRank(candidates, (c) => {
      const price = priceBook.priceFor(c.provider, c.resolvedModel, orgId);
      return price ? costRank(price) : null;
    });
  }
  const { latency } = deps;
  if (!latency) return candidates;
  return stableRank(candidates, (c) => latency.p50(c.provider, nowMs));
}

function stableRank<T, R extends number | bigint>(items: T[], rankOf: (item: T) => R | null): T[] {
  const ranked = items.map((item, i) => ({ item, i, rank: rankOf(item) }));
  ranked.sort((a, b) => {
    if (a.rank === null || b.rank === null) return a.rank === null ? (b.rank === null ? a.i - b.i : 1) : -1;
    return a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.i - b.i;
  });
  return ranked.map((r) => r.item);
}
