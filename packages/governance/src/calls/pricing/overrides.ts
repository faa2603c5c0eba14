import type { priceOverrides } from '@rungate/db/schema';
import { globMatch, isGlob } from '../rules/glob.ts';
import { flatRate, type ModelPrice } from './model-price.ts';
import { toUsd } from './money.ts';

/** An operator price, as a `price_overrides` row holds it (USD per million tokens). */
export type PriceOverride = Pick<
  typeof priceOverrides.$inferSelect,
  | 'orgId'
  | 'provider'
  | 'modelPattern'
  | 'inputPerMillion'
  | 'outputPerMillion'
  | 'cacheReadPerMillion'
  | 'cacheCreationPerMillion'
>;

/**
 * The override that applies to a call, most specific first: the org's own before a global
 * one, then a provider-specific one before one for any provider, then an exact model name
 * before a glob, then the glob with more literal characters (`gpt-4o-*` before `gpt-*`), then
 * the pattern's text, so the choice never depends on row order.
 */
export function findOverride(
  overrides: readonly PriceOverride[],
  orgId: string | null,
  provider: string,
  model: string,
): PriceOverride | undefined {
  let best: PriceOverride | undefined;
  for (const o of overrides) {
    if (o.orgId !== null && o.orgId !== orgId) continue;
    if (o.provider !== null && o.provider !== provider) continue;
    if (!globMatch(o.modelPattern, model)) continue;
    if (!best || moreSpecific(o, best)) best = o;
  }
  return best;
}

const rank = (o: PriceOverride) => [
  o.orgId === null ? 0 : 1,
  o.provider === null ? 0 : 1,
  isGlob(o.modelPattern) ? 0 : 1,
  o.modelPattern.replace(/[*?]/g, '').length,
];

function moreSpecific(a: PriceOverride, b: PriceOverride): boolean {
  const ra = rank(a);
  const rb = rank(b);
  for (let i = 0; i < ra.length; i++) {
    const d = (ra[i] ?? 0) - (rb[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return a.modelPattern < b.modelPattern;
}

export function overridePrice(o: PriceOverride, provider: string): ModelPrice {
  const input = flatRate(toUsd(o.inputPerMillion));
  return {
    source: 'override',
    provider: o.provider ?? provider,
    model: o.modelPattern,
    input,
    output: flatRate(toUsd(o.outputPerMillion)),
    // Unset cache prices bill cached tokens as input, like the library.
    cacheRead: o.cacheReadPerMillion === null ? input : flatRate(toUsd(o.cacheReadPerMillion)),
    cacheCreation: o.cacheCreationPerMillion === null ? input : flatRate(toUsd(o.cacheCreationPerMillion)),
  };
}
