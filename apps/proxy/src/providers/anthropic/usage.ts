import { countField } from '../json.ts';
import type { JsonObject, Usage } from '../types.ts';

/** Anthropic's usage buckets are already disjoint: `input_tokens` excludes cached tokens. */
export function anthropicUsage(usage: JsonObject): Usage {
  return mergeAnthropicUsage({ input: 0, output: 0, cacheRead: 0, cacheCreation: 0 }, usage);
}

/**
 * Streams report usage in `message_start` and again, cumulatively, in `message_delta`: a field
 * present in a later event replaces the earlier value (never added to it).
 */
export function mergeAnthropicUsage(current: Usage, usage: JsonObject): Usage {
  return {
    input: countField(usage, 'input_tokens') ?? current.input,
    output: countField(usage, 'output_tokens') ?? current.output,
    cacheRead: countField(usage, 'cache_read_input_tokens') ?? current.cacheRead,
    cacheCreation: countField(usage, 'cache_creation_input_tokens') ?? current.cacheCreation,
  };
}
