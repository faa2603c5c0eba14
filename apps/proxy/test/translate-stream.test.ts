import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translatorFor } from '../src/providers/translate/index.ts';
import type { StreamTransformer } from '../src/providers/types.ts';
import { everySplit, runChunked, timeless } from './support/chunking.ts';
import { rawResponse } from './support/clients.ts';
import { type FakeBehavior, type FakeProvider, startFakeProvider } from './support/fake-provider.ts';
import { anthropicStream, openAIStream } from './support/transformers.ts';

const MULTIBYTE = 'Grüße, 世界! 👋🏽 ok';
const tool = { name: 'get_weather', input_schema: { type: 'object', properties: {} } };
const openAITool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: {} } },
};
const USAGE = { input: 20, output: 9, cacheRead: 60, cacheCreation: 4 };

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(() => fake.close());

async function anthropicBytes(behavior: FakeBehavior, tools = false) {
  fake.enqueue(behavior);
  const body = {
    model: 'claude',
    max_tokens: 100,
    stream: true,
    messages: [{ role: 'user', content: 'hi' }],
    ...(tools ? { tools: [tool] } : {}),
  };
  return (await rawResponse(fake, '/v1/messages', body)).bytes;
}

async function openAIBytes(behavior: FakeBehavior, tools = false) {
  fake.enqueue(behavior);
  const body = {
    model: 'gpt-4o',
    stream: true,
    stream_options: { include_usage: true },
    messages: [{ role: 'user', content: 'hi' }],
    ...(tools ? { tools: [openAITool] } : {}),
  };
  return (await rawResponse(fake, '/v1/chat/completions', body)).bytes;
}

/** The `data:` payloads of an SSE text, with the event name when there is one. */
function events(output: Buffer): { event: string | null; data: string }[] {
  return output
    .toString('utf8')
    .split('\n\n')
    .filter((block) => block !== '')
    .map((block) => {
      const lines = block.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice(7) ?? null;
      return { event, data: lines.find((line) => line.startsWith('data: '))?.slice(6) ?? '' };
    });
}

const json = (data: string) =>
  JSON.parse(data) as Record<string, unknown> & {
    choices?: { delta: Record<string, unknown>; finish_reason: string | null }[];
  };

function run(transformer: StreamTransformer, bytes: Uint8Array) {
  return runChunked(transformer, bytes, []);
}

describe('Anthropic stream -> OpenAI chunks', () => {
  const translator = translatorFor('openai', 'anthropic', { now: () => 1_700_000_000 });

  it('streams role, text, finish reason, the usage chunk and [DONE], identically at every split', async () => {
    const bytes = await anthropicBytes({ text: MULTIBYTE, usage: USAGE, messageDeltas: 3 });
    const whole = run(translator.stream({ clientWantsUsage: true }), bytes);
    const out = events(whole.output);
    expect(out.at(-1)).toEqual({ event: null, data: '[DONE]' });
    const chunks = out.slice(0, -1).map((e) => json(e.data));
    expect(chunks[0]).toEqual({
      id: whole.report.id,
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'claude',
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }],
      usage: null,
    });
    const text = chunks.map((c) => c.choices?.[0]?.delta.content ?? '').join('');
    expect(text).toBe(MULTIBYTE);
    const finishes = chunks.filter((c) => c.choices?.[0]?.finish_reason);
    expect(finishes.map((c) => c.choices?.[0]?.finish_reason)).toEqual(['stop']);
    expect(chunks.at(-1)).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 84,
        completion_tokens: 9,
        total_tokens: 93,
        prompt_tokens_details: { cached_tokens: 60 },
      },
    });
    // The report is the Anthropic transformer's, so accounting is unchanged by translation.
    expect(timeless(whole.report)).toEqual(timeless(run(anthropicStream(), bytes).report));
    expect(whole.report).toMatchObject({
      id: expect.stringMatching(/^msg_fake_/),
      stopReason: 'end_turn',
      usage: USAGE,
      completed: true,
      error: null,
    });
    for (const cuts of everySplit(bytes)) {
      const { output, report } = runChunked(translator.stream({ clientWantsUsage: true }), bytes, cuts);
      expect(output.equals(whole.output)).toBe(true);
      expect(timeless(report)).toEqual(timeless(whole.report));
    }
  });

  it('leaves out the usage chunk and the usage fields when the client did not ask for usage', async () => {
    const bytes = await anthropicBytes({ text: 'Hi.' });
    const { output, report } = run(translator.stream({ clientWantsUsage: false }), bytes);
    const chunks = events(output)
      .slice(0, -1)
      .map((e) => json(e.data));
    expect(chunks.every((c) => !('usage' in c))).toBe(true);
    expect(chunks.every((c) => (c.choices?.length ?? 0) === 1)).toBe(true);
    expect(report.usage).toEqual({ input: 20, output: 10, cacheRead: 0, cacheCreation: 0 });
  });

  it('streams a tool call as id and name first, then argument fragments', async () => {
    const bytes = await anthropicBytes({ toolCall: { arguments: { city: 'Paris', days: 3 } } }, true);
    const { output, report } = run(translator.stream({ clientWantsUsage: true }), bytes);
    const chunks = events(output)
      .slice(0, -1)
      .map((e) => json(e.data));
    const calls = chunks.flatMap(
      (c) => (c.choices?.[0]?.delta.tool_calls as Record<string, unknown>[] | undefined) ?? [],
    );
    expect(calls[0]).toEqual({
      index: 0,
      id: expect.stringMatching(/^toolu_fake_\d+$/),
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    expect(calls.slice(1).every((call) => call.index === 0 && !('id' in call))).toBe(true);
    const args = calls.map((call) => (call.function as { arguments: string }).arguments).join('');
    expect(JSON.parse(args)).toEqual({ city: 'Paris', days: 3 });
    expect(chunks.map((c) => c.choices?.[0]?.delta.content ?? '').join('')).toBe('Calling get_weather.');
    expect(chunks.find((c) => c.choices?.[0]?.finish_reason)?.choices?.[0]?.finish_reason).toBe('tool_calls');
    expect(report.stopReason).toBe('tool_use');
  });

  it('passes an error event on in OpenAI form and records it', async () => {
    const bytes = await anthropicBytes({
      text: 'a b c d',
      streamError: { afterChunks: 4, type: 'overloaded_error', message: 'busy' },
    });
    const { output, report } = run(translator.stream({ clientWantsUsage: true }), bytes);
    const out = events(output);
    expect(out.at(-1)?.data).toBe(
      JSON.stringify({ error: { message: 'busy', type: 'overloaded_error', param: null, code: null } }),
    );
    expect(out.some((e) => e.data === '[DONE]')).toBe(false);
    expect(report).toMatchObject({ error: { type: 'overloaded_error', message: 'busy' }, completed: false });
  });

  it('sends no [DONE] for a stream cut short', async () => {
    const full = Buffer.from(await anthropicBytes({ text: 'a b c d' }));
    const bytes = full.subarray(0, full.indexOf('event: message_delta'));
    const { output, report } = run(translator.stream({ clientWantsUsage: true }), bytes);
    expect(events(output).some((e) => e.data === '[DONE]')).toBe(false);
    expect(report.completed).toBe(false);
  });
});

describe('OpenAI chunks -> Anthropic stream', () => {
  const translator = translatorFor('anthropic', 'openai');

  it('streams message_start, a text block, message_delta with usage and message_stop, identically at every split', async () => {
    const bytes = await openAIBytes({ text: MULTIBYTE, usage: USAGE });
    const whole = run(translator.stream({ clientWantsUsage: true }), bytes);
    const out = events(whole.output);
    expect(out.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      ...Array.from({ length: out.length - 5 }, () => 'content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const data = out.map((e) => json(e.data));
    expect(data[0]).toEqual({
      type: 'message_start',
      message: {
        id: whole.report.id,
        type: 'message',
        role: 'assistant',
        model: 'gpt-4o',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      },
    });
    expect(data[1]).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    const text = data.map((d) => (d.delta as { text?: string } | undefined)?.text ?? '').join('');
    expect(text).toBe(MULTIBYTE);
    // OpenAI has no cache-write bucket: the fake folds nothing into it, the figures stay as sent.
    expect(data.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 20, output_tokens: 9, cache_read_input_tokens: 60, cache_creation_input_tokens: 0 },
    });
    expect(data.at(-1)).toEqual({ type: 'message_stop' });
    expect(timeless(whole.report)).toEqual(timeless(run(openAIStream(true), bytes).report));
    expect(whole.report).toMatchObject({
      id: expect.stringMatching(/^chatcmpl-fake_/),
      stopReason: 'stop',
      usage: { input: 20, output: 9, cacheRead: 60, cacheCreation: 0 },
      completed: true,
    });
    for (const cuts of everySplit(bytes)) {
      const { output, report } = runChunked(translator.stream({ clientWantsUsage: true }), bytes, cuts);
      expect(output.equals(whole.output)).toBe(true);
      expect(timeless(report)).toEqual(timeless(whole.report));
    }
  });

  it('opens a tool_use block for a tool call and streams its arguments as input_json_delta', async () => {
    const bytes = await openAIBytes({ toolCall: { arguments: { city: 'Paris', days: 3 } } }, true);
    const { output, report } = run(translator.stream({ clientWantsUsage: true }), bytes);
    const data = events(output).map((e) => json(e.data));
    expect(data[1]).toEqual({
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'tool_use', id: expect.stringMatching(/^call_fake_\d+$/), name: 'get_weather', input: {} },
    });
    const deltas = data.filter((d) => d.type === 'content_block_delta');
    expect(deltas.every((d) => d.index === 0 && (d.delta as { type: string }).type === 'input_json_delta')).toBe(true);
    expect(JSON.parse(deltas.map((d) => (d.delta as { partial_json: string }).partial_json).join(''))).toEqual({
      city: 'Paris',
      days: 3,
    });
    expect(data.filter((d) => d.type === 'content_block_stop')).toEqual([{ type: 'content_block_stop', index: 0 }]);
    expect(data.find((d) => d.type === 'message_delta')?.delta).toEqual({
      stop_reason: 'tool_use',
      stop_sequence: null,
    });
    expect(report.stopReason).toBe('tool_calls');
  });

  it('closes the text block before a tool call block and numbers blocks in order', () => {
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c1', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const stream = [
      chunk({ role: 'assistant', content: 'Checking.' }),
      chunk({ tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'a', arguments: '{}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'call_b', type: 'function', function: { name: 'b', arguments: '{"x"' } }] }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: ':1}' } }] }),
      chunk({}, 'tool_calls'),
      'data: [DONE]\n\n',
    ].join('');
    const { output } = run(translator.stream({ clientWantsUsage: true }), Buffer.from(stream));
    const data = events(output).map((e) => json(e.data));
    expect(data.map((d) => [d.type, d.index ?? null])).toEqual([
      ['message_start', null],
      ['content_block_start', 0],
      ['content_block_delta', 0],
      ['content_block_stop', 0],
      ['content_block_start', 1],
      ['content_block_delta', 1],
      ['content_block_stop', 1],
      ['content_block_start', 2],
      ['content_block_delta', 2],
      ['content_block_delta', 2],
      ['content_block_stop', 2],
      ['message_delta', null],
      ['message_stop', null],
    ]);
  });

  it('passes an error chunk on as an Anthropic error event and records it', async () => {
    const bytes = await openAIBytes({
      text: 'a b c d',
      streamError: { afterChunks: 3, type: 'server_error', message: 'boom' },
    });
    const { output, report } = run(translator.stream({ clientWantsUsage: true }), bytes);
    const out = events(output);
    expect(out.at(-1)).toEqual({
      event: 'error',
      data: JSON.stringify({ type: 'error', error: { type: 'server_error', message: 'boom' } }),
    });
    expect(out.some((e) => e.event === 'message_stop')).toBe(false);
    expect(report).toMatchObject({ error: { type: 'server_error', message: 'boom' }, completed: false });
  });

  it('finishes a stream whose choice finished even without [DONE], but not one cut short', () => {
    const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
      `data: ${JSON.stringify({ id: 'c1', model: 'm', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const finished = run(
      translator.stream({ clientWantsUsage: true }),
      Buffer.from(chunk({ content: 'Hi' }) + chunk({}, 'length')),
    );
    expect(
      events(finished.output)
        .map((e) => e.event)
        .slice(-2),
    ).toEqual(['message_delta', 'message_stop']);
    expect(json(events(finished.output).at(-2)?.data ?? '{}').delta).toEqual({
      stop_reason: 'max_tokens',
      stop_sequence: null,
    });
    const cut = run(translator.stream({ clientWantsUsage: true }), Buffer.from(chunk({ content: 'Hi' })));
    expect(events(cut.output).map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
    ]);
  });
});
