import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { adapterFor } from '../src/providers/registry.ts';
import { translatorFor } from '../src/providers/translate/index.ts';
import type { JsonObject, StreamReport, WireFormat } from '../src/providers/types.ts';
import { type FakeProvider, startFakeProvider } from './support/fake-provider.ts';

/**
 * A minimal translating proxy: accepts the client's format, calls the fake in the provider's
 * format, and answers in the client's format, streaming as the upstream streams.
 */
async function startTranslatingProxy(clientFormat: WireFormat, providerFormat: WireFormat, fake: FakeProvider) {
  const reports: StreamReport[] = [];
  const translator = translatorFor(clientFormat, providerFormat);
  const provider = adapterFor(providerFormat);
  const providerBase = providerFormat === 'openai' ? fake.openAIBaseUrl : fake.anthropicBaseUrl;
  const server: Server = createServer((req, res) => {
    void (async () => {
      const body = JSON.parse(await readBody(req)) as JsonObject;
      const clientWantsUsage = adapterFor(clientFormat).prepareRequest(body).clientWantsUsage;
      const upstream = await fetch(provider.url(providerBase), {
        method: 'POST',
        headers: provider.headers('sk-test'),
        body: JSON.stringify(translator.request(body)),
      });
      if (!upstream.ok) {
        res.writeHead(upstream.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(translator.errorBody((await upstream.json()) as JsonObject)));
        return;
      }
      if (body.stream !== true) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(translator.response((await upstream.json()) as JsonObject)));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const stream = translator.stream({ clientWantsUsage });
      for await (const chunk of upstream.body ?? []) res.write(stream.push(chunk));
      res.end(stream.end());
      reports.push(stream.report());
    })().catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, reports, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

const usage = { input: 30, output: 12, cacheRead: 50, cacheCreation: 6 };
const weatherArgs = { city: 'Paris', unit: 'celsius' };

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider({ apiKey: 'sk-test' });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

describe('the OpenAI SDK served by an Anthropic provider', () => {
  let proxy: Awaited<ReturnType<typeof startTranslatingProxy>>;
  let openai: OpenAI;
  beforeAll(async () => {
    proxy = await startTranslatingProxy('openai', 'anthropic', fake);
    openai = new OpenAI({ apiKey: 'client-key', baseURL: `${proxy.url}/v1`, maxRetries: 0 });
  });
  afterAll(() => proxy.close());

  const tools: OpenAI.ChatCompletionTool[] = [
    {
      type: 'function',
      function: {
        name: 'get_weather',
        description: 'Weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
      },
    },
  ];
  const question: OpenAI.ChatCompletionMessageParam[] = [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Weather in Paris?' },
  ];

  it('answers text with usage totals intact', async () => {
    fake.setBehavior({ text: 'Sunny.', usage });
    const completion = await openai.chat.completions.create({
      model: 'claude-sonnet-4-5',
      messages: question,
      max_tokens: 64,
      stop: ['END'],
    });
    expect(completion.choices[0]?.message.content).toBe('Sunny.');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.model).toBe('claude-sonnet-4-5');
    expect(completion.usage).toEqual({
      prompt_tokens: 86,
      completion_tokens: 12,
      total_tokens: 98,
      prompt_tokens_details: { cached_tokens: 50 },
    });
    expect(fake.requests[0]).toMatchObject({
      path: '/v1/messages',
      body: {
        model: 'claude-sonnet-4-5',
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        max_tokens: 64,
        stop_sequences: ['END'],
      },
    });
  });

  it('runs a tool call and a tool result turn', async () => {
    fake.setBehavior({ toolCall: { arguments: weatherArgs }, usage });
    const first = await openai.chat.completions.create({
      model: 'claude',
      messages: question,
      tools,
      tool_choice: 'auto',
    });
    const choice = first.choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    const call = choice?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual(weatherArgs);
    expect(fake.requests[0]?.body).toMatchObject({
      tools: [{ name: 'get_weather', input_schema: { type: 'object' } }],
      tool_choice: { type: 'auto' },
    });

    const second = await openai.chat.completions.create({
      model: 'claude',
      tools,
      messages: [
        ...question,
        choice?.message as OpenAI.ChatCompletionMessageParam,
        { role: 'tool', tool_call_id: call?.id ?? '', content: '21°C' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe('Hello from the fake provider.');
    expect(second.choices[0]?.finish_reason).toBe('stop');
    expect((fake.requests[1]!.body as { messages: unknown[] }).messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Calling get_weather.' },
          { type: 'tool_use', id: call?.id, name: 'get_weather', input: weatherArgs },
        ],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: call?.id, content: '21°C' }] },
    ]);
  });

  it('streams text with the usage chunk the client asked for', async () => {
    fake.setBehavior({ text: 'It is sunny in Paris today.', usage, messageDeltas: 2 });
    const stream = openai.chat.completions.stream({
      model: 'claude',
      messages: question,
      stream_options: { include_usage: true },
    });
    const completion = await stream.finalChatCompletion();
    expect(completion.choices[0]?.message.content).toBe('It is sunny in Paris today.');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({
      prompt_tokens: 86,
      completion_tokens: 12,
      total_tokens: 98,
      prompt_tokens_details: { cached_tokens: 50 },
    });
    expect(fake.requests[0]?.body).toMatchObject({ stream: true, max_tokens: 4096 });
    expect(proxy.reports.at(-1)).toMatchObject({ stopReason: 'end_turn', usage, completed: true, error: null });
  });

  it('streams a tool call and then the answer to its result', async () => {
    fake.setBehavior({ toolCall: { arguments: weatherArgs }, usage });
    const first = await openai.chat.completions
      .stream({ model: 'claude', messages: question, tools })
      .finalChatCompletion();
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(first.choices[0]?.message.content).toBe('Calling get_weather.');
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
    expect(call?.type === 'function' && JSON.parse(call.function.arguments)).toEqual(weatherArgs);
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    const second = await openai.chat.completions.create({
      model: 'claude',
      stream: true,
      tools,
      messages: [
        ...question,
        { role: 'assistant', content: null, tool_calls: call ? [call] : [] },
        { role: 'tool', tool_call_id: call?.id ?? '', content: '21°C' },
      ],
    });
    for await (const chunk of second) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello from the fake provider.');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.every((c) => c.usage === undefined)).toBe(true);
  });

  it('passes a provider error on in OpenAI form', async () => {
    fake.enqueue({ status: 400, errorMessage: 'max_tokens: too large' });
    const error = await openai.chat.completions
      .create({ model: 'claude', messages: question })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).error).toMatchObject({
      message: 'max_tokens: too large',
      type: 'invalid_request_error',
    });
  });
});

describe('the Anthropic SDK served by an OpenAI provider', () => {
  let proxy: Awaited<ReturnType<typeof startTranslatingProxy>>;
  let anthropic: Anthropic;
  beforeAll(async () => {
    proxy = await startTranslatingProxy('anthropic', 'openai', fake);
    anthropic = new Anthropic({ apiKey: 'client-key', baseURL: proxy.url, maxRetries: 0 });
  });
  afterAll(() => proxy.close());

  const tools: Anthropic.Tool[] = [
    {
      name: 'get_weather',
      description: 'Weather',
      input_schema: { type: 'object', properties: { city: { type: 'string' } } },
    },
  ];
  const question: Anthropic.MessageParam[] = [{ role: 'user', content: 'Weather in Paris?' }];
  // The OpenAI fake has no cache-write bucket.
  const openAIUsage = {
    input_tokens: 30,
    output_tokens: 12,
    cache_read_input_tokens: 50,
    cache_creation_input_tokens: 0,
  };

  it('answers text with usage split into Anthropic buckets', async () => {
    fake.setBehavior({ text: 'Sunny.', usage });
    const message = await anthropic.messages.create({
      model: 'gpt-4o',
      max_tokens: 64,
      system: 'Be brief.',
      messages: question,
      stop_sequences: ['END'],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'Sunny.' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.model).toBe('gpt-4o');
    expect(message.usage).toEqual(openAIUsage);
    expect(fake.requests[0]).toMatchObject({
      path: '/v1/chat/completions',
      body: {
        model: 'gpt-4o',
        max_tokens: 64,
        stop: ['END'],
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Weather in Paris?' },
        ],
      },
    });
  });

  it('runs a tool call and a tool result turn', async () => {
    fake.setBehavior({ toolCall: { arguments: weatherArgs }, usage });
    const first = await anthropic.messages.create({
      model: 'gpt-4o',
      max_tokens: 64,
      messages: question,
      tools,
      tool_choice: { type: 'any' },
    });
    expect(first.stop_reason).toBe('tool_use');
    const toolUse = first.content.find((block) => block.type === 'tool_use');
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'get_weather', input: weatherArgs });
    expect(fake.requests[0]?.body).toMatchObject({
      tools: [{ type: 'function', function: { name: 'get_weather' } }],
      tool_choice: 'required',
    });

    const second = await anthropic.messages.create({
      model: 'gpt-4o',
      max_tokens: 64,
      tools,
      messages: [
        ...question,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse?.id ?? '', content: '21°C' }] },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Hello from the fake provider.' }]);
    expect(second.stop_reason).toBe('end_turn');
    expect((fake.requests[1]!.body as { messages: unknown[] }).messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: toolUse?.id,
            type: 'function',
            function: { name: 'get_weather', arguments: JSON.stringify(weatherArgs) },
          },
        ],
      },
      { role: 'tool', tool_call_id: toolUse?.id, content: '21°C' },
    ]);
  });

  it('streams text with the final usage', async () => {
    fake.setBehavior({ text: 'It is sunny in Paris today.', usage });
    const message = await anthropic.messages
      .stream({ model: 'gpt-4o', max_tokens: 64, messages: question })
      .finalMessage();
    expect(message.content).toEqual([{ type: 'text', text: 'It is sunny in Paris today.' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject(openAIUsage);
    expect(fake.requests[0]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    expect(proxy.reports.at(-1)).toMatchObject({
      stopReason: 'stop',
      usage: { input: 30, output: 12, cacheRead: 50, cacheCreation: 0 },
      completed: true,
    });
  });

  it('streams a tool call and then the answer to its result', async () => {
    fake.setBehavior({ toolCall: { arguments: weatherArgs }, usage });
    const first = await anthropic.messages
      .stream({ model: 'gpt-4o', max_tokens: 64, messages: question, tools })
      .finalMessage();
    expect(first.stop_reason).toBe('tool_use');
    const toolUse = first.content.find((block) => block.type === 'tool_use');
    expect(toolUse).toMatchObject({ type: 'tool_use', name: 'get_weather', input: weatherArgs });
    const events: Anthropic.RawMessageStreamEvent[] = [];
    const second = await anthropic.messages.create({
      model: 'gpt-4o',
      max_tokens: 64,
      stream: true,
      tools,
      messages: [
        ...question,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse?.id ?? '', content: '21°C' }] },
      ],
    });
    for await (const event of second) events.push(event);
    const text = events
      .map((e) => (e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? e.delta.text : ''))
      .join('');
    expect(text).toBe('Hello from the fake provider.');
    expect(events.at(-2)).toMatchObject({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn' },
      usage: { output_tokens: 12 },
    });
  });

  it('passes a provider error on in Anthropic form', async () => {
    fake.enqueue({ status: 400, errorMessage: 'bad messages' });
    const error = await anthropic.messages
      .create({ model: 'gpt-4o', max_tokens: 8, messages: question })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as InstanceType<typeof Anthropic.BadRequestError>).error).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'bad messages' },
    });
  });
});
