import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sdkClients } from './support/clients.ts';
import { type FakeProvider, startFakeProvider } from './support/fake-provider.ts';

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};
const anthropicTool = {
  name: 'get_weather',
  description: 'Weather',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } } },
};

let fake: FakeProvider;
let openai: OpenAI;
let anthropic: Anthropic;

beforeAll(async () => {
  fake = await startFakeProvider();
  ({ openai, anthropic } = sdkClients(fake));
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('OpenAI wire format, through the official SDK', () => {
  it('answers a chat completion with usage including cached tokens, and records the request', async () => {
    fake.setBehavior({ text: 'Bonjour.', usage: { input: 30, output: 7, cacheRead: 50 } });
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0]?.message.content).toBe('Bonjour.');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({
      prompt_tokens: 80,
      completion_tokens: 7,
      total_tokens: 87,
      prompt_tokens_details: { cached_tokens: 50 },
    });
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/chat/completions',
      format: 'openai',
      headers: { authorization: 'Bearer sk-test' },
      body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
    });
  });

  it('streams chunks, with the final usage chunk only when include_usage is set', async () => {
    fake.setBehavior({ text: 'one two three', usage: { input: 5, output: 3, cacheRead: 2 } });
    const withUsage = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const usages = [];
    for await (const chunk of withUsage) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usages.push({ usage: chunk.usage, choices: chunk.choices.length });
    }
    expect(text).toBe('one two three');
    expect(usages).toEqual([
      {
        usage: expect.objectContaining({
          prompt_tokens: 7,
          completion_tokens: 3,
          prompt_tokens_details: { cached_tokens: 2, audio_tokens: 0 },
        }),
        choices: 0,
      },
    ]);

    const withoutUsage = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of withoutUsage) chunks.push(chunk);
    expect(chunks.every((chunk) => chunk.usage === undefined && chunk.choices.length === 1)).toBe(true);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('calls an offered tool, streaming and not, and answers in text after the tool result', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'weather in Paris?' }];
    fake.enqueue({ toolCall: { arguments: { city: 'Paris' } } });
    const completion = await openai.chat.completions.create({ model: 'gpt-4o', messages, tools: [weatherTool] });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });

    fake.enqueue({ toolCall: { arguments: { city: 'Paris' } } });
    const stream = openai.chat.completions.stream({ model: 'gpt-4o', messages, tools: [weatherTool] });
    const final = await stream.finalChatCompletion();
    const streamedCall = final.choices[0]?.message.tool_calls?.[0];
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(streamedCall?.type === 'function' && JSON.parse(streamedCall.function.arguments)).toEqual({ city: 'Paris' });

    const answer = await openai.chat.completions.create({
      model: 'gpt-4o',
      tools: [weatherTool],
      messages: [
        ...messages,
        { role: 'assistant', tool_calls: call ? [call] : [] },
        { role: 'tool', tool_call_id: call?.id ?? '', content: 'sunny' },
      ],
    });
    expect(answer.choices[0]?.message.content).toBe('Hello from the fake provider.');
  });

  it('answers text when tool calls are turned off', async () => {
    fake.setBehavior({ toolCall: false });
    const completion = await openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
      tools: [weatherTool],
    });
    expect(completion.choices[0]?.message.tool_calls).toBeUndefined();
  });
});

describe('Anthropic wire format, through the official SDK', () => {
  it('answers a message with cache usage, and records the request', async () => {
    fake.setBehavior({ text: 'Hi.', usage: { input: 11, output: 4, cacheRead: 100, cacheCreation: 25 } });
    const message = await anthropic.messages.create({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      stop_reason: 'end_turn',
      content: [{ type: 'text', text: 'Hi.' }],
    });
    expect(message.usage).toMatchObject({
      input_tokens: 11,
      output_tokens: 4,
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 25,
    });
    expect(fake.requests[0]).toMatchObject({
      path: '/v1/messages',
      format: 'anthropic',
      headers: { authorization: 'Bearer sk-test', 'anthropic-version': expect.any(String) },
      body: { model: 'claude-sonnet-4-5', max_tokens: 64 },
    });
  });

  it('streams every event type, and the SDK accumulates text and cumulative usage', async () => {
    fake.setBehavior({
      text: 'alpha beta gamma',
      usage: { input: 9, output: 30, cacheRead: 3, cacheCreation: 1 },
      messageDeltas: 3,
    });
    const stream = anthropic.messages.stream({
      model: 'claude-3-5-haiku-latest',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const types = new Set<string>();
    stream.on('streamEvent', (event) => types.add(event.type));
    const message = await stream.finalMessage();
    expect([...types].sort()).toEqual([
      'content_block_delta',
      'content_block_start',
      'content_block_stop',
      'message_delta',
      'message_start',
      'message_stop',
    ]);
    expect(message.content).toEqual([{ type: 'text', text: 'alpha beta gamma' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({
      input_tokens: 9,
      output_tokens: 30,
      cache_read_input_tokens: 3,
      cache_creation_input_tokens: 1,
    });
  });

  it('calls an offered tool, streaming and not', async () => {
    const request = {
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      messages: [{ role: 'user' as const, content: 'weather?' }],
      tools: [anthropicTool],
    };
    fake.setBehavior({ toolCall: { arguments: { city: 'Oslo' } } });
    const message = await anthropic.messages.create(request);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content[1]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Oslo' } });

    const streamed = await anthropic.messages.stream(request).finalMessage();
    expect(streamed.stop_reason).toBe('tool_use');
    expect(streamed.content[1]).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { city: 'Oslo' } });

    const toolUse = message.content[1];
    const answer = await anthropic.messages.create({
      ...request,
      messages: [
        ...request.messages,
        { role: 'assistant', content: message.content },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: toolUse?.type === 'tool_use' ? toolUse.id : '', content: 'cold' },
          ],
        },
      ],
    });
    expect(answer.content).toEqual([{ type: 'text', text: 'Hello from the fake provider.' }]);
  });
});

describe('fault injection', () => {
  it('answers error statuses in each format, with retry-after', async () => {
    fake.enqueue({ status: 429, retryAfter: '7' }, { status: 503 });
    const rateLimited = await openai.chat.completions
      .create({ model: 'gpt-4o', messages: [] })
      .catch((error: unknown) => error);
    expect(rateLimited).toBeInstanceOf(OpenAI.RateLimitError);
    expect((rateLimited as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('7');
    const overloaded = await anthropic.messages
      .create({ model: 'claude-sonnet-4-5', max_tokens: 8, messages: [] })
      .catch((error: unknown) => error);
    expect(overloaded).toBeInstanceOf(Anthropic.APIError);
    expect(overloaded).toMatchObject({ status: 503, error: { type: 'error', error: { type: 'overloaded_error' } } });

    fake.enqueue({ status: 500 });
    const failed = await openai.chat.completions
      .create({ model: 'gpt-4o', messages: [] })
      .catch((error: unknown) => error);
    expect(failed).toMatchObject({ status: 500, error: { type: 'server_error' } });
  });

  it('rejects a wrong key when it requires one', async () => {
    const guarded = await startFakeProvider({ apiKey: 'sk-right' });
    try {
      const wrong = sdkClients(guarded, 'sk-wrong');
      await expect(wrong.openai.chat.completions.create({ model: 'gpt-4o', messages: [] })).rejects.toBeInstanceOf(
        OpenAI.AuthenticationError,
      );
      await expect(wrong.anthropic.messages.create({ model: 'c', max_tokens: 1, messages: [] })).rejects.toBeInstanceOf(
        Anthropic.AuthenticationError,
      );
      const right = sdkClients(guarded, 'sk-right');
      await expect(right.anthropic.messages.create({ model: 'c', max_tokens: 1, messages: [] })).resolves.toMatchObject(
        { type: 'message' },
      );
      const withApiKeyHeader = await fetch(`${guarded.url}/v1/messages`, {
        method: 'POST',
        headers: { 'x-api-key': 'sk-right' },
        body: '{"model":"c","max_tokens":1,"messages":[]}',
      });
      expect(withApiKeyHeader.status).toBe(200);
    } finally {
      await guarded.close();
    }
  });

  it('delays the first byte', async () => {
    fake.enqueue({ delayMs: 150 });
    const started = performance.now();
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [] });
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('hangs until the client gives up, and close() frees the socket', async () => {
    fake.enqueue({ hang: true });
    const client = new OpenAI({ apiKey: 'k', baseURL: fake.openAIBaseUrl, maxRetries: 0, timeout: 200 });
    await expect(client.chat.completions.create({ model: 'gpt-4o', messages: [] })).rejects.toBeInstanceOf(
      OpenAI.APIConnectionTimeoutError,
    );

    const hung = await startFakeProvider({ behavior: { hang: true } });
    const pending = fetch(`${hung.url}/v1/messages`, { method: 'POST', body: '{}' }).catch((error: unknown) => error);
    while (hung.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(hung.openConnections()).toBe(1);
    await hung.close();
    expect(hung.openConnections()).toBe(0);
    expect(await pending).toBeInstanceOf(TypeError);
  });

  it('drops the connection after N chunks, mid-stream', async () => {
    fake.enqueue({ dropAfterChunks: 2 });
    const stream = await openai.chat.completions.create({ model: 'gpt-4o', messages: [], stream: true });
    const received: unknown[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) received.push(chunk);
    })().catch((error: unknown) => error);
    expect(received).toHaveLength(2);
    expect(failure).toBeInstanceOf(Error);

    fake.enqueue({ dropAfterChunks: 0 });
    await expect(anthropic.messages.create({ model: 'c', max_tokens: 1, messages: [] })).rejects.toBeInstanceOf(
      Anthropic.APIConnectionError,
    );
  });

  it('sends an empty stream', async () => {
    fake.enqueue({ emptyStream: true });
    const stream = await anthropic.messages.create({ model: 'c', max_tokens: 1, messages: [], stream: true });
    const events = [];
    for await (const event of stream) events.push(event);
    expect(events).toEqual([]);
  });

  it('sends an error event mid-stream in each format', async () => {
    fake.enqueue({ streamError: { afterChunks: 1 } }, { streamError: { afterChunks: 2, message: 'boom' } });
    const anthropicStream = anthropic.messages.stream({ model: 'c', max_tokens: 1, messages: [] });
    await expect(anthropicStream.finalMessage()).rejects.toMatchObject({
      error: { type: 'error', error: { type: 'overloaded_error' } },
    });
    const openaiStream = await openai.chat.completions.create({ model: 'gpt-4o', messages: [], stream: true });
    await expect(
      (async () => {
        for await (const _chunk of openaiStream);
      })(),
    ).rejects.toMatchObject({ message: expect.stringContaining('boom') });
  });

  it('slows chunks down', async () => {
    fake.enqueue({ chunkDelayMs: 30, text: 'a b c' });
    const started = performance.now();
    const stream = await openai.chat.completions.create({ model: 'gpt-4o', messages: [], stream: true });
    const arrivals: number[] = [];
    for await (const _chunk of stream) arrivals.push(performance.now() - started);
    expect(arrivals).toHaveLength(5);
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThanOrEqual(100);
  });

  it('replays exact bytes', async () => {
    fake.enqueue({
      replay: {
        contentType: 'application/json',
        body: '{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[]}',
      },
    });
    await expect(openai.chat.completions.create({ model: 'gpt-4o', messages: [] })).resolves.toMatchObject({
      id: 'x',
      model: 'm',
    });
  });

  it('answers 404 on unknown routes', async () => {
    const response = await fetch(`${fake.url}/v1/embeddings`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });
});
