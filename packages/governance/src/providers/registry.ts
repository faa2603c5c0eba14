/** The two wire formats Rungate speaks; every provider uses one of them. */
export type WireFormat = 'openai' | 'anthropic';

/** What Rungate knows of a provider, by its identifier (a provider key's `provider`, a routing chain's entries). */
export interface ProviderEntry {
  readonly wireFormat: WireFormat;
  /** Public base URL used when a key's `base_url` is null; null when the provider has none. */
  readonly defaultBaseUrl: string | null;
}

const openAICompatible = (defaultBaseUrl: string): ProviderEntry => ({ wireFormat: 'openai', defaultBaseUrl });

/**
 * The providers with a public default URL. Base URLs are given the way each provider's SDK (or
 * its OpenAI-compatible docs) takes them: with the version segment for OpenAI-compatible ones,
 * without it for Anthropic, whose path (`/v1/messages`) the proxy appends.
 */
const PROVIDERS: Readonly<Record<string, ProviderEntry>> = {
  openai: openAICompatible('https://api.openai.com/v1'),
  anthropic: { wireFormat: 'anthropic', defaultBaseUrl: 'https://api.anthropic.com' },
  groq: openAICompatible('https://api.groq.com/openai/v1'),
  mistral: openAICompatible('https://api.mistral.ai/v1'),
  deepseek: openAICompatible('https://api.deepseek.com/v1'),
  together: openAICompatible('https://api.together.xyz/v1'),
  fireworks: openAICompatible('https://api.fireworks.ai/inference/v1'),
  openrouter: openAICompatible('https://openrouter.ai/api/v1'),
  xai: openAICompatible('https://api.x.ai/v1'),
  cerebras: openAICompatible('https://api.cerebras.ai/v1'),
  perplexity: openAICompatible('https://api.perplexity.ai'),
  gemini: openAICompatible('https://generativelanguage.googleapis.com/v1beta/openai'),
};

/** A provider not listed: OpenAI-compatible, reachable only through a key with a `base_url`. */
const UNLISTED: ProviderEntry = { wireFormat: 'openai', defaultBaseUrl: null };

/**
 * The provider registry (docs/decisions.md): `anthropic` speaks Anthropic Messages; every other
 * provider is OpenAI-compatible unless its entry says otherwise.
 */
export function providerEntry(provider: string): ProviderEntry {
  return (Object.hasOwn(PROVIDERS, provider) && PROVIDERS[provider]) || UNLISTED;
}

/** The wire format a provider speaks. */
export function wireFormatOf(provider: string): WireFormat {
  return providerEntry(provider).wireFormat;
}
