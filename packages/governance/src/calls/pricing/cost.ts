import type { ModelPrice, TokenRate } from './model-price.ts';
import { formatUsd, type Usd, usdUnits } from './money.ts';
import type { TokenUsage } from './usage.ts';

// Rates are in 1e-10 USD per million tokens, so tokens x rate is in 1e-16 USD: exact in bigint.
const PER_MILLION = 1_000_000n;

interface ParsedRate {
  base: bigint;
  tiers: { above: number; units: bigint }[];
}

// Price books hand out the same rate objects call after call: parse each decimal once.
const parsed = new WeakMap<TokenRate, ParsedRate>();

function parse(rate: TokenRate): ParsedRate {
  let p = parsed.get(rate);
  if (!p) {
    p = {
      base: usdUnits(rate.perMillion),
      tiers: rate.tiers.map((t) => ({ above: t.above, units: usdUnits(t.perMillion) })),
    };
    parsed.set(rate, p);
  }
  return p;
}

/** The rate at the tier a call's total input selects (see `TokenRate`). */
function rateUnits(rate: TokenRate, totalInput: number): bigint {
  const p = parse(rate);
  let units = p.base;
  for (const tier of p.tiers) if (totalInput > tier.above) units = tier.units;
  return units;
}

/** Rounds 1e-16 USD to the ledger's 1e-10: half up for a charge, up for a reservation. */
const roundHalfUp = (micro: bigint): bigint => (micro + PER_MILLION / 2n) / PER_MILLION;
const roundUp = (micro: bigint): bigint => (micro + PER_MILLION - 1n) / PER_MILLION;

/**
 * The exact cost of a call: each bucket at its own rate, at the tier the call's total input
 * selects, summed in bigint and rounded once (half up) to 10 places. Cache buckets a model
 * lists no price for are charged at its input rate (see `createPriceBook`).
 */
export function costOf(usage: TokenUsage, price: ModelPrice): Usd {
  const totalInput = usage.input + usage.cacheRead + usage.cacheCreation;
  const micro =
    BigInt(usage.input) * rateUnits(price.input, totalInput) +
    BigInt(usage.output) * rateUnits(price.output, totalInput) +
    BigInt(usage.cacheRead) * rateUnits(price.cacheRead, totalInput) +
    BigInt(usage.cacheCreation) * rateUnits(price.cacheCreation, totalInput);
  return formatUsd(roundHalfUp(micro));
}

/**
 * The highest rate a bucket can reach for a call of up to `inputTokens` input tokens: the
 * base rate or any tier that input size could select (so odd tier tables cannot undercut it).
 */
function maxRateUnits(rate: TokenRate, inputTokens: number): bigint {
  const p = parse(rate);
  let max = p.base;
  for (const tier of p.tiers) if (inputTokens > tier.above && tier.units > max) max = tier.units;
  return max;
}

/** What one input token can cost at most: cache writes are dearer than plain input at some providers. */
const worstInputRate = (price: ModelPrice, inputTokens: number): bigint =>
  [price.input, price.cacheRead, price.cacheCreation]
    .map((rate) => maxRateUnits(rate, inputTokens))
    // biome-ignore lint/complexity/useMathMinMax: these are bigints, which Math.max does not take
    .reduce((a, b) => (a > b ? a : b));

/**
 * The most a call can cost, for budget pre-authorization: every estimated input token at the
 * dearest input rate (uncached, cache read or cache write) and `maxTokens` output tokens, at the
 * tier the input size can reach, rounded up. The actual cost (`costOf`) never exceeds it when
 * the input estimate holds.
 */
export function worstCaseCost(inputTokenEstimate: number, maxTokens: number, price: ModelPrice): Usd {
  const micro =
    BigInt(inputTokenEstimate) * worstInputRate(price, inputTokenEstimate) +
    BigInt(maxTokens) * maxRateUnits(price.output, inputTokenEstimate);
  return formatUsd(roundUp(micro));
}

/**
 * The most output tokens a call can be allowed so that its worst case still fits in
 * `remainingUsd` (for calls that set no `max_tokens`): 0 when even the input does not fit,
 * Infinity when output is free.
 */
export function affordableOutputTokens(remainingUsd: Usd, inputTokenEstimate: number, price: ModelPrice): number {
  const available =
    usdUnits(remainingUsd) * PER_MILLION - BigInt(inputTokenEstimate) * worstInputRate(price, inputTokenEstimate);
  if (available < 0n) return 0;
  const outputRate = maxRateUnits(price.output, inputTokenEstimate);
  if (outputRate === 0n) return Number.POSITIVE_INFINITY;
  return Number(available / outputRate);
}

/** Request bytes per estimated input token. */
export const BYTES_PER_TOKEN_ESTIMATE = 3;

/**
 * A cheap, deterministic over-estimate of a request's input tokens from its JSON size:
 * one token per 3 bytes. Tokenizers average about 4 bytes per token for English and code, and
 * the JSON framing (keys, quotes, roles, escapes) adds bytes that are never tokens, so this
 * errs high for ordinary prompts without tokenizing. It is a heuristic, not a bound: inputs
 * denser than a token per 3 bytes (some non-Latin scripts, random strings), images passed by
 * URL and prompts a provider adds (tool-use preambles) can exceed it; settlement always records
 * the usage the provider reports.
 */
export function estimateInputTokens(body: string | Uint8Array): number {
  const bytes = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
  return Math.ceil(bytes / BYTES_PER_TOKEN_ESTIMATE);
}
