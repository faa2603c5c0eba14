import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicAdapter } from '../src/providers/anthropic/index.ts';
import { DRY_RUN_TEXT } from '../src/providers/dry-run.ts';
import { openAIAdapter } from '../src/providers/openai/index.ts';
import { runChunked } from './support/chunking.ts';
import { sdkClients } from './support/clients.ts';
import { type FakeProvider, startFakeProvider } from './support/fake-provider.ts';

const ZERO = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 };

let fake: FakeProvider;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  fake = await startFakeProvider();
  ({ openai, anthropic } = sdkClients(fake));
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const replayJson = (body: unknown) =>
  fake.enqueue({ replay: { contentType: 'application/json', body: JSON.stringify(body) } });
const replaySse = (body: string) => fake.enqueue({ replay: { contentType: 'text/event-stream', body } });

describe('dry-run mock responses, parsed by the official SDKs', () => {
  it('OpenAI non-streaming', async () => {
    const mock = openAIAdapter.mockResponse({ model: 'gpt-4o' });
    replayJson(mock);
    const completion = await openai.chat.completions.create({ model: 'gpt-4o', messages: [] });
    expect(completion.id).toMatch(/^chatcmpl-dryrun-/);
    expect(completion).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o',
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
    });
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'stop',
      message: { role: 'assistant', content: DRY_RUN_TEXT },
    });
    expect(openAIAdapter.summarizeResponse(mock)).toMatchObject({ model: 'gpt-4o', stopReason: 'stop', usage: ZERO });
  });

  it('OpenAI streaming, with and without the usage chunk', async () => {
    for (const includeUsage of [true, false]) {
      const mock = openAIAdapter.mockStream({ model: 'gpt-4o-mini', id: 'chatcmpl-dry', includeUsage });
      replaySse(mock);
      const final = await openai.chat.completions
        .stream({ model: 'gpt-4o-mini', messages: [], stream_options: { include_usage: includeUsage } })
        .finalChatCompletion();
      expect(final).toMatchObject({
        id: 'chatcmpl-dry',
        model: 'gpt-4o-mini',
        choices: [{ finish_reason: 'stop', message: { content: DRY_RUN_TEXT } }],
      });
      expect(final.usage).toEqual(
        includeUsage ? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 } : undefined,
      );
      const { report } = runChunked(
        openAIAdapter.createStreamTransformer({ clientWantsUsage: includeUsage }),
        Buffer.from(mock),
        [],
      );
      expect(report).toMatchObject({ completed: true, stopReason: 'stop', usage: includeUsage ? ZERO : null });
    }
  });

  it('Anthropic non-streaming', async () => {
    const mock = anthropicAdapter.mockResponse({ model: 'claude-sonnet-4-5' });
    replayJson(mock);
    const message = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 10, messages: [] });
    expect(message.id).toMatch(/^msg_dryrun_/);
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      stop_reason: 'end_turn',
      content: [{ type: 'text', text: DRY_RUN_TEXT }],
    });
    expect(message.usage).toMatchObject({ input_tokens: 0, output_tokens: 0 });
    expect(anthropicAdapter.summarizeResponse(mock)).toMatchObject({ model: 'claude-sonnet-4-5', usage: ZERO });
  });

  it('Anthropic streaming', async () => {
    const mock = anthropicAdapter.mockStream({ model: 'claude-3-5-haiku-latest', id: 'msg_dry', includeUsage: true });
    replaySse(mock);
    const message = await anthropic.messages
      .stream({ model: 'claude-3-5-haiku-latest', max_tokens: 10, messages: [] })
      .finalMessage();
    expect(message).toMatchObject({
      id: 'msg_dry',
      model: 'claude-3-5-haiku-latest',
      stop_reason: 'end_turn',
      content: [{ type: 'text', text: DRY_RUN_TEXT }],
    });
    expect(message.usage).toMatchObject({ input_tokens: 0, output_tokens: 0 });
    const { report } = runChunked(
      anthropicAdapter.createStreamTransformer({ clientWantsUsage: true }),
      Buffer.from(mock),
      [],
    );
    expect(report).toMatchObject({ id: 'msg_dry', completed: true, stopReason: 'end_turn', usage: ZERO });
  });
});
