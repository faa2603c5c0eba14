import {
  calcPrice,
  findProvider,
  type ModelPrice as LibraryPrices,
  type ModelInfo,
  type Provider,
  type TieredPrices,
} from '@pydantic/genai-prices';
import { BoundedCache } from './bounded-cache.ts';
import { flatRate, type ModelPrice, type TokenRate } from './model-price.ts';
import { toUsd } from './money.ts';

/**
 * Prices from `@pydantic/genai-prices`, the maintained price list bundled with the package
 * (no network). The library resolves what a caller sends to a listed model: dated snapshots
 * (`gpt-4o-2024-08-06` -> `gpt-4o`), `-latest` aliases, and models a provider resells from
 * another (Azure's OpenAI models). A provider identifier the library does not know (a
 * self-hosted or renamed OpenAI-compatible endpoint) is matched by model name alone.
 */

interface Listing {
  provider: Provider;
  model: ModelInfo;
}

const listings = new BoundedCache<string, Listing | null>(4096);
// Converted prices, keyed by the library's own price objects, which live as long as its data.
const converted = new WeakMap<LibraryPrices, ModelPrice | null>();

export function libraryPrice(provider: string, model: string, at: Date): ModelPrice | null {
  const listing = listings.getOrCompute(`${provider}\u0000${model}`, () => find(provider, model, at));
  if (!listing) return null;
  const prices = Array.isArray(listing.model.prices) ? pricesAt(listing, model, at) : listing.model.prices;
  if (!prices) return null;
  let price = converted.get(prices);
  if (price === undefined) {
    price = convert(listing, prices);
    converted.set(prices, price);
  }
  return price;
}

function find(provider: string, model: string, at: Date): Listing | null {
  const known = findProvider({ providerId: provider }) !== undefined;
  const found = calcQuietly(model, known ? { providerId: provider, timestamp: at } : { timestamp: at });
  return found ? { provider: found.provider, model: found.model } : null;
}

/**
 * Prices that change over time (a price cut on a date, off-peak hours) are picked by the
 * library for the moment of the call; only the model lookup is cached.
 */
function pricesAt(listing: Listing, model: string, at: Date): LibraryPrices | null {
  const onlyThisModel: Provider = { ...listing.provider, models: [listing.model], fallback_model_providers: [] };
  return calcQuietly(model, { provider: onlyThisModel, timestamp: at })?.model_price ?? null;
}

// The library throws on malformed price data; a price we cannot read is an unknown price.
function calcQuietly(model: string, options: Parameters<typeof calcPrice>[2]) {
  try {
    return calcPrice({}, model, options);
  } catch {
    return null;
  }
}

function convert(listing: Listing, prices: LibraryPrices): ModelPrice | null {
  const input = rate(prices.input_mtok);
  const output = rate(prices.output_mtok);
  // Not priced per token (images, audio seconds, per request): not a price we can apply.
  if (!input && !output) return null;
  const zero = flatRate(toUsd(0));
  const inputRate = input ?? zero;
  return {
    source: 'library',
    provider: listing.provider.id,
    model: listing.model.id,
    input: inputRate,
    output: output ?? zero,
    // A model without a cache price bills those tokens as input, as the library does.
    cacheRead: rate(prices.cache_read_mtok) ?? inputRate,
    cacheCreation: rate(prices.cache_write_mtok) ?? inputRate,
  };
}

function rate(value: number | TieredPrices | undefined): TokenRate | null {
  if (value === undefined) return null;
  if (typeof value === 'number') return flatRate(toUsd(value));
  return {
    perMillion: toUsd(value.base),
    tiers: [...value.tiers]
      .sort((a, b) => a.start - b.start)
      .map((tier) => ({ above: tier.start, perMillion: toUsd(tier.price) })),
  };
}
