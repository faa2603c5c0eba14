import { providerEntry } from '@rungate/governance';
import { anthropicAdapter } from './anthropic/index.ts';
import { UpstreamError } from './errors.ts';
import { openAIAdapter } from './openai/index.ts';
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

/** OpenAI-format providers that take `max_completion_tokens`; the others take `max_tokens`. */
const MAX_COMPLETION_TOKENS_PROVIDERS: ReadonlySet<string> = new Set(['openai']);

const ADAPTERS: Readonly<Record<WireFormat, WireAdapter>> = {
  openai: openAIAdapter,
  anthropic: anthropicAdapter,
};

/** A provider's wire format and default URL from governance's registry, with what the adapters need of it. */
export function providerSpec(id: string): ProviderSpec {
  const { wireFormat, defaultBaseUrl } = providerEntry(id);
  return {
    id,
    format: wireFormat,
    defaultBaseUrl,
    maxTokensField: MAX_COMPLETION_TOKENS_PROVIDERS.has(id) ? 'max_completion_tokens' : 'max_tokens',
  };
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
