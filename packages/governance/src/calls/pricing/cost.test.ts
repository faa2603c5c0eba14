import { describe, expect, it } from 'vitest';
import {
  affordableOutputTokens,
  BYTES_PER_TOKEN_ESTIMATE,
  costOf,
  estimateInputTokens,
  worstCaseCost,
} from './cost.ts';
import { flatRate, type ModelPrice } from './model-price.ts';

const flat = (input: string, output: string, cacheRead = input, cacheCreation = input): ModelPrice => ({
  source: 'override',
  provider: 'test',
  model: 'test-model',
  input: flatRate(input),
  output: flatRate(output),
  cacheRead: flatRate(cacheRead),
  cacheCreation: flatRate(cacheCreation),
});

// gpt-4o's list price; claude-3-5-haiku's (cache writes dearer than input).
const gpt4o = flat('2.5', '10', '1.25');
const haiku = flat('0.8', '4', '0.08', '1');
const tieredOutput = (above: number) => ({ perMillion: '15', tiers: [{ above, perMillion: '22.5' }] });
const sonnet: ModelPrice = {
  ...flat('3', '15', '0.3', '3.75'),
  input: { perMillion: '3', tiers: [{ above: 200_000, perMillion: '6' }] },
  output: tieredOutput(200_000),
  cacheRead: { perMillion: '0.3', tiers: [{ above: 200_000, perMillion: '0.6' }] },
  cacheCreation: { perMillion: '3.75', tiers: [{ above: 200_000, perMillion: '7.5' }] },
};

describe('costOf', () => {
  it('prices each bucket at its rate, exactly', () => {
    // 1000 x 2.5 + 500 x 10 + 200 x 1.25, per million.
    expect(costOf({ input: 1000, output: 500, cacheRead: 200, cacheCreation: 0 }, gpt4o)).toBe('0.0077500000');
    // 5 x 0.8 + 255 x 4 + 4000 x 0.08 + 4735 x 1, per million.
    expect(costOf({ input: 5, output: 255, cacheRead: 4000, cacheCreation: 4735 }, haiku)).toBe('0.0060790000');
    expect(costOf({ input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }, gpt4o)).toBe('0.0000000000');
  });

  it('keeps sub-cent figures that a float would blur', () => {
    expect(costOf({ input: 1, output: 0, cacheRead: 0, cacheCreation: 0 }, flat('0.075', '0'))).toBe('0.0000000750');
    expect(costOf({ input: 3, output: 0, cacheRead: 0, cacheCreation: 0 }, flat('0.1', '0'))).toBe('0.0000003000');
    expect(0.1 * 3).not.toBe(0.3);
  });

  it('rounds once, half up, after summing the buckets', () => {
    // Each token costs 5e-11 USD: one rounds up to 1e-10, and two buckets of one token sum to exactly 1e-10.
    const tiny = flat('0.00005', '0.00005');
    expect(costOf({ input: 1, output: 0, cacheRead: 0, cacheCreation: 0 }, tiny)).toBe('0.0000000001');
    expect(costOf({ input: 1, output: 1, cacheRead: 0, cacheCreation: 0 }, tiny)).toBe('0.0000000001');
    expect(costOf({ input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }, tiny)).toBe('0.0000000000');
    expect(costOf({ input: 1, output: 0, cacheRead: 0, cacheCreation: 0 }, flat('0.00004', '0'))).toBe('0.0000000000');
  });

  it('moves every bucket to the long-context tier once total input passes it', () => {
    const at = (input: number, cacheRead: number) =>
      costOf({ input, output: 1000, cacheRead, cacheCreation: 0 }, sonnet);
    // 200 000 input tokens: not above the tier start; base rates.
    expect(at(200_000, 0)).toBe('0.6150000000');
    // 200 001 counting the cache read: every bucket at the tier rate.
    expect(at(200_000, 1)).toBe('1.2225006000');
  });

  it('handles token counts far past 2^53 / 1e6 without losing digits', () => {
    expect(
      costOf({ input: 9_000_000_000_000, output: 0, cacheRead: 0, cacheCreation: 0 }, flat('0.0000000001', '0')),
    ).toBe('0.0009000000');
  });
});

describe('worstCaseCost', () => {
  it('charges the input estimate at the dearest input rate and max_tokens at the output rate, rounded up', () => {
    // 1000 x max(0.8, 0.08, 1) + 500 x 4, per million.
    expect(worstCaseCost(1000, 500, haiku)).toBe('0.0030000000');
    expect(worstCaseCost(1000, 500, gpt4o)).toBe('0.0075000000');
    expect(worstCaseCost(1, 0, flat('0.00001', '0'))).toBe('0.0000000001');
    expect(worstCaseCost(0, 0, haiku)).toBe('0.0000000000');
  });

  it('uses the tier the input estimate reaches', () => {
    expect(worstCaseCost(200_000, 1000, sonnet)).toBe('0.7650000000');
    expect(worstCaseCost(200_001, 1000, sonnet)).toBe('1.5225075000');
  });

  it('is never below the actual cost of any usage within the estimate', () => {
    const cases = [
      { input: 1000, output: 500, cacheRead: 0, cacheCreation: 0 },
      { input: 0, output: 500, cacheRead: 0, cacheCreation: 1000 },
      { input: 300, output: 499, cacheRead: 700, cacheCreation: 0 },
      { input: 1, output: 1, cacheRead: 1, cacheCreation: 997 },
    ];
    for (const price of [gpt4o, haiku, sonnet]) {
      for (const usage of cases) {
        const worst = worstCaseCost(1000, 500, price);
        expect(Number(costOf(usage, price))).toBeLessThanOrEqual(Number(worst));
      }
    }
  });
});

describe('affordableOutputTokens', () => {
  it('is the largest max_tokens whose worst case fits', () => {
    // (0.003 - 1000 x 1e-6) / 4e-6 = 500.
    expect(affordableOutputTokens('0.003', 1000, haiku)).toBe(500);
    for (const remaining of ['0.0123456789', '1', '0.0010000001']) {
      const n = affordableOutputTokens(remaining, 1000, haiku);
      expect(Number(worstCaseCost(1000, n, haiku))).toBeLessThanOrEqual(Number(remaining));
      expect(Number(worstCaseCost(1000, n + 1, haiku))).toBeGreaterThan(Number(remaining));
    }
  });

  it('is 0 when even the input does not fit, Infinity when output is free', () => {
    expect(affordableOutputTokens('0.0009', 1000, haiku)).toBe(0);
    expect(affordableOutputTokens('0', 0, haiku)).toBe(0);
    expect(affordableOutputTokens('0.01', 1000, flat('1', '0'))).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('estimateInputTokens', () => {
  it('counts one token per 3 bytes of the body, rounded up', () => {
    expect(BYTES_PER_TOKEN_ESTIMATE).toBe(3);
    expect(estimateInputTokens('')).toBe(0);
    expect(estimateInputTokens('abc')).toBe(1);
    expect(estimateInputTokens('abcd')).toBe(2);
    expect(estimateInputTokens(new Uint8Array(10))).toBe(4);
  });

  it('counts bytes, not characters', () => {
    expect(estimateInputTokens('ééé')).toBe(2);
    expect(estimateInputTokens('日本語')).toBe(3);
  });

  it('is deterministic and errs high for an ordinary chat request', () => {
    const body = JSON.stringify({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'You are a helpful assistant.' },
        { role: 'user', content: 'What is the capital of France? Answer in one word.' },
      ],
    });
    // About 30 tokens of content by any tokenizer.
    expect(estimateInputTokens(body)).toBe(Math.ceil(Buffer.byteLength(body) / 3));
    expect(estimateInputTokens(body)).toBeGreaterThan(30);
    expect(estimateInputTokens(body)).toBe(estimateInputTokens(body));
  });
});
