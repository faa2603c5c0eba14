import type { Usd } from './money.ts';

/** A higher rate that applies once a call's total input tokens exceed `above`. */
export interface PriceTier {
  above: number;
  perMillion: Usd;
}

/**
 * The price of one usage bucket in USD per million tokens. Long-context models charge more
 * for the whole call once its input is large: the last tier whose `above` the call's total
 * input (uncached + cache read + cache write) exceeds replaces `perMillion` for every token of
 * the bucket, as the price library defines its tiers.
 */
export interface TokenRate {
  perMillion: Usd;
  tiers: readonly PriceTier[];
}

/** What a model costs per bucket, and where the figure came from (recorded with the step). */
export interface ModelPrice {
  source: 'library' | 'override';
  /** The provider the price is listed under (may differ from the caller's for custom ids). */
  provider: string;
  /** The price library's model id, or the override's `model_pattern`. */
  model: string;
  input: TokenRate;
  output: TokenRate;
  cacheRead: TokenRate;
  cacheCreation: TokenRate;
}

export const flatRate = (perMillion: Usd): TokenRate => ({ perMillion, tiers: [] });
