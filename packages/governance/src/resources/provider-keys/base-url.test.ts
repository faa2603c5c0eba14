import { describe, expect, it } from 'vitest';
import { normalizeBaseUrl } from './base-url.ts';

describe('normalizeBaseUrl', () => {
  it('keeps null for the provider default and drops trailing slashes', () => {
    expect(normalizeBaseUrl('openai', null)).toBeNull();
    expect(normalizeBaseUrl('openai', undefined)).toBeNull();
    expect(normalizeBaseUrl('openai', 'https://api.openai.com/v1/')).toBe('https://api.openai.com/v1');
    expect(normalizeBaseUrl('groq', 'http://localhost:8080/openai/v1')).toBe('http://localhost:8080/openai/v1');
    expect(normalizeBaseUrl('anthropic', 'https://api.anthropic.com/')).toBe('https://api.anthropic.com');
  });

  it('refuses non-http URLs and an Anthropic URL with /v1, naming the field', () => {
    for (const [provider, url] of [
      ['openai', 'ftp://example.com'],
      ['openai', 'not a url'],
      ['anthropic', 'https://api.anthropic.com/v1/'],
    ]) {
      expect(() => normalizeBaseUrl(provider!, url)).toThrow(
        expect.objectContaining({ code: 'validation_error', fields: { base_url: expect.any(String) } }),
      );
    }
  });
});
