import { describe, expect, it } from 'vitest';
import { UpstreamError } from '../src/providers/errors.ts';
import { adapterFor, providerSpec, upstreamTarget } from '../src/providers/registry.ts';

describe('provider registry', () => {
  it('knows the wire format and public base URL of each provider', () => {
    expect(providerSpec('openai')).toEqual({
      id: 'openai',
      format: 'openai',
      defaultBaseUrl: 'https://api.openai.com/v1',
      maxTokensField: 'max_completion_tokens',
    });
    expect(providerSpec('anthropic')).toMatchObject({
      format: 'anthropic',
      defaultBaseUrl: 'https://api.anthropic.com',
    });
    expect(providerSpec('groq')).toMatchObject({
      format: 'openai',
      defaultBaseUrl: 'https://api.groq.com/openai/v1',
      maxTokensField: 'max_tokens',
    });
    expect(providerSpec('my-vllm')).toEqual({
      id: 'my-vllm',
      format: 'openai',
      defaultBaseUrl: null,
      maxTokensField: 'max_tokens',
    });
    expect(providerSpec('toString')).toMatchObject({ format: 'openai', defaultBaseUrl: null });
    expect(adapterFor('anthropic').format).toBe('anthropic');
  });

  it('calls {base_url}/chat/completions with a bearer key for OpenAI-compatible providers', () => {
    expect(upstreamTarget('openai', { apiKey: 'sk-1', baseUrl: null })).toMatchObject({
      url: 'https://api.openai.com/v1/chat/completions',
      headers: { authorization: 'Bearer sk-1', 'content-type': 'application/json' },
    });
    const custom = upstreamTarget(
      'my-vllm',
      { apiKey: 'k', baseUrl: 'http://10.0.0.5:8000/v1/' },
      { 'anthropic-beta': 'x' },
    );
    expect(custom.url).toBe('http://10.0.0.5:8000/v1/chat/completions');
    expect(custom.headers).toEqual({ authorization: 'Bearer k', 'content-type': 'application/json' });
  });

  it('calls {base_url}/v1/messages with x-api-key and a version for Anthropic', () => {
    expect(upstreamTarget('anthropic', { apiKey: 'sk-ant', baseUrl: null })).toMatchObject({
      url: 'https://api.anthropic.com/v1/messages',
      headers: { 'x-api-key': 'sk-ant', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
    });
    const target = upstreamTarget(
      'anthropic',
      { apiKey: 'sk-ant', baseUrl: 'http://127.0.0.1:9999' },
      {
        'anthropic-version': '2026-10-21',
        'anthropic-beta': ['a', 'b'],
        authorization: 'Bearer rg_sk_agent',
      },
    );
    expect(target.url).toBe('http://127.0.0.1:9999/v1/messages');
    expect(target.headers).toEqual({
      'x-api-key': 'sk-ant',
      'anthropic-version': '2026-10-21',
      'anthropic-beta': 'a,b',
      'content-type': 'application/json',
    });
  });

  it('refuses a provider with neither a base_url nor a public default, as an upstream failure', () => {
    let thrown: unknown;
    try {
      upstreamTarget('my-vllm', { apiKey: 'k', baseUrl: null });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(UpstreamError);
    expect(thrown).toMatchObject({ provider: 'my-vllm', kind: 'unknown', status: 502 });
  });
});
