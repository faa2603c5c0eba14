import { invalid } from '../../errors.ts';
import { wireFormatOf } from '../../providers/registry.ts';

/**
 * Normalises a key's `base_url` to what the provider's official SDK takes (docs/decisions.md):
 * OpenAI-compatible URLs include their version segment, Anthropic's does not, because the
 * proxy appends `/v1/messages` for Anthropic and `/chat/completions` for everyone else.
 * Trailing slashes are dropped so the appended path never doubles one.
 */
export function normalizeBaseUrl(provider: string, value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('base_url must be an http(s) URL', { base_url: 'Must be an http(s) URL' });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalid('base_url must be an http(s) URL', { base_url: 'Must be an http(s) URL' });
  }
  const normalized = value.replace(/\/+$/, '');
  if (wireFormatOf(provider) === 'anthropic' && /\/v1$/.test(url.pathname.replace(/\/+$/, ''))) {
    throw invalid('An Anthropic base_url excludes the /v1 segment', {
      base_url: 'Leave out /v1: calls go to {base_url}/v1/messages (e.g. https://api.anthropic.com)',
    });
  }
  return normalized;
}
