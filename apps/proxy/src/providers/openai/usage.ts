import { countField, objectField } from '../json.ts';
import type { JsonObject, Usage } from '../types.ts';

/**
 * OpenAI counts cached tokens inside `prompt_tokens`; Rungate's buckets are disjoint, so the
 * cached part moves from input to cacheRead. OpenAI has no cache-creation charge.
 */
export function openAIUsage(usage: JsonObject): Usage {
  const prompt = countField(usage, 'prompt_tokens') ?? 0;
  const details = objectField(usage, 'prompt_tokens_details');
  const cached = (details && countField(details, 'cached_tokens')) ?? 0;
  return {
    input: Math.max(0, prompt - cached),
    output: countField(usage, 'completion_tokens') ?? 0,
    cacheRead: cached,
    cacheCreation: 0,
  };
}
