import type { JsonObject, Usage } from '../types.ts';

export const ZERO_USAGE: Usage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 };

/**
 * OpenAI's `prompt_tokens` includes every cached token, so Anthropic's cache reads and cache
 * writes are added back into it; only reads are "cached" in OpenAI's sense. The totals match.
 */
export function openAIUsageBody(usage: Usage): JsonObject {
  const prompt = usage.input + usage.cacheRead + usage.cacheCreation;
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output,
    total_tokens: prompt + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead },
  };
}

/** Anthropic's `input_tokens` excludes cached tokens, as Rungate's `input` bucket does. */
export function anthropicUsageBody(usage: Usage): JsonObject {
  return {
    input_tokens: usage.input,
    output_tokens: usage.output,
    cache_read_input_tokens: usage.cacheRead,
    cache_creation_input_tokens: usage.cacheCreation,
  };
}
