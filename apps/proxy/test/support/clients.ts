import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { FakeProvider } from './fake-provider.ts';

/** Official SDK clients pointed at a fake, with SDK retries off so every fault is seen as sent. */
export function sdkClients(fake: FakeProvider, apiKey = 'sk-test') {
  return {
    openai: new OpenAI({ apiKey, baseURL: fake.openAIBaseUrl, maxRetries: 0 }),
    anthropic: new Anthropic({ apiKey, baseURL: fake.anthropicBaseUrl, maxRetries: 0 }),
  };
}

/** The raw bytes a fake sends for a request, as an upstream stream to replay in tests. */
export async function rawResponse(fake: FakeProvider, path: '/v1/chat/completions' | '/v1/messages', body: unknown) {
  const response = await fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}
