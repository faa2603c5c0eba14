/**
 * Usage is kept in four disjoint buckets (`TokenUsage`): `input` counts only input tokens that
 * were neither read from nor written to a prompt cache, so the buckets add up to the call's
 * tokens and each is priced once. The providers count differently, hence one normaliser each.
 */

export interface TokenUsage {
  /** Input tokens not read from or written to a cache. */
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
}

export const NO_USAGE: TokenUsage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 };

export const totalTokens = (u: TokenUsage) => u.input + u.output + u.cacheRead + u.cacheCreation;

/** OpenAI Chat Completions `usage`: `prompt_tokens` includes the cached tokens. */
export interface OpenAiUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
}

/** Anthropic Messages `usage`: `input_tokens` excludes cache reads and cache writes. */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
}

// Upstream figures are untrusted input: a missing, negative or non-numeric count is zero.
const count = (value: unknown): number =>
  typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;

export function normalizeOpenAiUsage(usage: OpenAiUsage | null | undefined): TokenUsage {
  const prompt = count(usage?.prompt_tokens);
  // A cached count above the prompt would make `input` negative; the prompt total is the bound.
  const cached = Math.min(count(usage?.prompt_tokens_details?.cached_tokens), prompt);
  return { input: prompt - cached, output: count(usage?.completion_tokens), cacheRead: cached, cacheCreation: 0 };
}

export function normalizeAnthropicUsage(usage: AnthropicUsage | null | undefined): TokenUsage {
  return {
    input: count(usage?.input_tokens),
    output: count(usage?.output_tokens),
    cacheRead: count(usage?.cache_read_input_tokens),
    cacheCreation: count(usage?.cache_creation_input_tokens),
  };
}
