import { anthropicAdapter } from './anthropic/index.ts';
import { openAIAdapter } from './openai/index.ts';
import { UpstreamError } from './errors.ts';
import type { HeaderMap, WireAdapter, WireFormat } from './types.ts';

export interface ProviderSpec {
  /** The provider identifier, as in a provider key's `provider` and in routing chains. */
  id: string;
  format: WireFormat;
  /** Public base URL used when a key's `base_url` is null; null when the provider has none. */
  defaultBaseUrl: string | null;
  /** OpenAI format: the output-limit field the provider understands when Rungate must set one. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
}

type KnownProvider = Omit<ProviderSpec, 'id'>;

const openAICompatible = (defaultBaseUrl: string): KnownProvider => ({
  format: 'openai',
  defaultBaseUrl,
  maxTokensField: 'max_tokens',
});

/** Base URLs are given the way each provider's OpenAI-compatible docs give them to the SDK. */
const KNOWN_PROVIDERS: Readonly<Record<string, KnownProvider>> = {
  openai: { format: 'openai', defaultBaseUrl: 'https://api.openai.com/v1', maxTokensField: 'max_completion_tokens' },
  anthropic: { format: 'anthropic', defaultBaseUrl: 'https://api.anthropic.com', maxTokensField: 'max_tokens' },
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

const ADAPTERS: Readonly<Record<WireFormat, WireAdapter>> = {
  openai: openAIAdapter,
  anthropic: anthropicAdapter,
};

/** Any provider not listed is OpenAI-compatible and needs a key with a `base_url`. */
export function providerSpec(id: string): ProviderSpec {
  const known = Object.hasOwn(KNOWN_PROVIDERS, id) ? KNOWN_PROVIDERS[id] : undefined;
  return { id, ...(known ?? { format: 'openai', defaultBaseUrl: null, maxTokensField: 'max_tokens' }) };
}

export function adapterFor(format: WireFormat): WireAdapter {
  return ADAPTERS[format];
}

export interface UpstreamTarget {
  spec: ProviderSpec;
  adapter: WireAdapter;
  url: string;
  headers: Record<string, string>;
}

/**
 * Where and how to call a provider with one of its keys: the key's `base_url`, else the
 * provider's public default. A provider with neither cannot be called, which is an upstream
 * failure like any other (routing moves on to the next provider).
 */
export function upstreamTarget(
  providerId: string,
  key: { apiKey: string; baseUrl: string | null },
  clientHeaders?: HeaderMap,
): UpstreamTarget {
  const spec = providerSpec(providerId);
  const baseUrl = key.baseUrl ?? spec.defaultBaseUrl;
  if (!baseUrl) {
    throw new UpstreamError({
      provider: providerId,
      kind: 'unknown',
      message: `Provider "${providerId}" has no public default URL; set base_url on its key`,
    });
  }
  const adapter = adapterFor(spec.format);
  return { spec, adapter, url: adapter.url(baseUrl), headers: adapter.headers(key.apiKey, clientHeaders) };
}
