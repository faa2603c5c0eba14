import { describe, expect, it } from 'vitest';
import { providerEntry, wireFormatOf } from './registry.ts';

describe('provider registry', () => {
  it('anthropic speaks Anthropic Messages, every other provider the OpenAI format', () => {
    expect(wireFormatOf('anthropic')).toBe('anthropic');
    for (const provider of ['openai', 'groq', 'gemini', 'my-vllm', 'toString', ''])
      expect(wireFormatOf(provider)).toBe('openai');
  });

  it('has the public default URL of listed providers, and none for the rest', () => {
    expect(providerEntry('openai')).toEqual({ wireFormat: 'openai', defaultBaseUrl: 'https://api.openai.com/v1' });
    expect(providerEntry('anthropic')).toEqual({
      wireFormat: 'anthropic',
      defaultBaseUrl: 'https://api.anthropic.com',
    });
    expect(providerEntry('my-vllm')).toEqual({ wireFormat: 'openai', defaultBaseUrl: null });
    expect(providerEntry('__proto__')).toEqual({ wireFormat: 'openai', defaultBaseUrl: null });
  });
});
