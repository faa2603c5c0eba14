import { type Clock, systemClock } from '../../time/clock.ts';
import { BoundedCache } from './bounded-cache.ts';
import { libraryPrice } from './library.ts';
import type { ModelPrice } from './model-price.ts';
import { findOverride, overridePrice, type PriceOverride } from './overrides.ts';

export interface PriceBook {
  /**
   * The price of `model` at `provider` for an org: its operator override if one matches, else
   * the price library's. Null when neither knows the model: the caller records cost 0 and
   * flags the step (`price_missing`); pricing never throws.
   */
  priceFor(provider: string, model: string, orgId?: string | null): ModelPrice | null;
}

export interface PriceBookOptions {
  /** Every org's override rows; build a new book when they change. */
  overrides?: readonly PriceOverride[];
  clock?: Clock;
}

export function createPriceBook({ overrides = [], clock = systemClock }: PriceBookOptions = {}): PriceBook {
  const fromOverrides = new BoundedCache<string, ModelPrice | null>(4096);
  return {
    priceFor(provider, model, orgId = null) {
      if (overrides.length > 0) {
        const key = `${orgId ?? ''}\u0000${provider}\u0000${model}`;
        const price = fromOverrides.getOrCompute(key, () => {
          const o = findOverride(overrides, orgId, provider, model);
          return o ? overridePrice(o, provider) : null;
        });
        if (price) return price;
      }
      return libraryPrice(provider, model, clock.now());
    },
  };
}
