import { describe, expect, it } from 'vitest';
import { normalizeAnthropicUsage, normalizeOpenAiUsage } from './usage.ts';

describe('normalizeOpenAiUsage', () => {
  it('takes cached tokens out of prompt_tokens so the buckets are disjoint', () => {
    expect(
      normalizeOpenAiUsage({
        prompt_tokens: 1200,
        completion_tokens: 300,
        prompt_tokens_details: { cached_tokens: 1024 },
      }),
    ).toEqual({ input: 176, output: 300, cacheRead: 1024, cacheCreation: 0 });
  });

  it('treats missing details as no cache', () => {
    expect(normalizeOpenAiUsage({ prompt_tokens: 10, completion_tokens: 2 })).toEqual({
      input: 10,
      output: 2,
      cacheRead: 0,
      cacheCreation: 0,
    });
    expect(normalizeOpenAiUsage({ prompt_tokens: 10, completion_tokens: 2, prompt_tokens_details: null })).toEqual({
      input: 10,
      output: 2,
      cacheRead: 0,
      cacheCreation: 0,
    });
  });

  it('never yields negative or fractional counts from odd upstream figures', () => {
    expect(
      normalizeOpenAiUsage({ prompt_tokens: 5, completion_tokens: -3, prompt_tokens_details: { cached_tokens: 9 } }),
    ).toEqual({
      input: 0,
      output: 0,
      cacheRead: 5,
      cacheCreation: 0,
    });
    expect(normalizeOpenAiUsage({ prompt_tokens: 7.9, completion_tokens: Number.NaN })).toEqual({
      input: 7,
      output: 0,
      cacheRead: 0,
      cacheCreation: 0,
    });
    expect(normalizeOpenAiUsage(null)).toEqual({ input: 0, output: 0, cacheRead: 0, cacheCreation: 0 });
  });
});

describe('normalizeAnthropicUsage', () => {
  it('keeps input_tokens as is: Anthropic already excludes cache reads and writes', () => {
    expect(
      normalizeAnthropicUsage({
        input_tokens: 5,
        output_tokens: 255,
        cache_read_input_tokens: 4000,
        cache_creation_input_tokens: 4735,
      }),
    ).toEqual({ input: 5, output: 255, cacheRead: 4000, cacheCreation: 4735 });
  });

  it('treats null and missing cache fields as zero', () => {
    expect(normalizeAnthropicUsage({ input_tokens: 12, output_tokens: 1, cache_read_input_tokens: null })).toEqual({
      input: 12,
      output: 1,
      cacheRead: 0,
      cacheCreation: 0,
    });
    expect(normalizeAnthropicUsage(undefined)).toEqual({ input: 0, output: 0, cacheRead: 0, cacheCreation: 0 });
  });

  it('gives the same buckets as OpenAI for the same cached call', () => {
    const openai = normalizeOpenAiUsage({
      prompt_tokens: 1500,
      completion_tokens: 40,
      prompt_tokens_details: { cached_tokens: 1000 },
    });
    const anthropic = normalizeAnthropicUsage({ input_tokens: 500, output_tokens: 40, cache_read_input_tokens: 1000 });
    expect(anthropic).toEqual(openai);
  });
});
