import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everySplit, runChunked } from './support/chunking.ts';
import { rawResponse } from './support/clients.ts';
import { type FakeBehavior, type FakeProvider, startFakeProvider } from './support/fake-provider.ts';
import { anthropicStream } from './support/transformers.ts';

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(() => fake.close());

async function recordedStream(behavior: FakeBehavior, request: Record<string, unknown> = {}) {
  fake.enqueue(behavior);
  const { bytes } = await rawResponse(fake, '/v1/messages', {
    model: 'claude-sonnet-4-5',
    max_tokens: 256,
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
    ...request,
  });
  return bytes;
}

const event = (data: Record<string, unknown>) => `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;

describe('Anthropic stream transformer', () => {
  it('forwards every byte untouched and reads usage, at every split', async () => {
    const stream = await recordedStream({
      text: 'Grüße, 世界! 👋🏽 ok',
      usage: { input: 15, output: 42, cacheRead: 1000, cacheCreation: 200 },
      messageDeltas: 3,
    });
    for (const cuts of everySplit(stream)) {
      const { output, report } = runChunked(anthropicStream(), stream, cuts);
      expect(output.equals(stream)).toBe(true);
      expect(report).toMatchObject({
        sawEvent: true,
        id: expect.stringMatching(/^msg_fake_/),
        model: 'claude-sonnet-4-5',
        stopReason: 'end_turn',
        usage: { input: 15, output: 42, cacheRead: 1000, cacheCreation: 200 },
        error: null,
        malformedEvents: 0,
        completed: true,
      });
    }
  });

  it('takes the last cumulative message_delta usage, never the sum', () => {
    const bytes = Buffer.from(
      event({
        type: 'message_start',
        message: {
          id: 'msg_1',
          model: 'claude-sonnet-4-5',
          usage: { input_tokens: 10, output_tokens: 1, cache_read_input_tokens: 5 },
        },
      }) +
        event({ type: 'message_delta', delta: { stop_reason: null }, usage: { output_tokens: 20 } }) +
        event({
          type: 'message_delta',
          delta: { stop_reason: 'max_tokens' },
          usage: { output_tokens: 35, input_tokens: 12, cache_creation_input_tokens: 7 },
        }) +
        event({ type: 'message_stop' }),
    );
    expect(runChunked(anthropicStream(), bytes, [30, 200]).report).toMatchObject({
      stopReason: 'max_tokens',
      usage: { input: 12, output: 35, cacheRead: 5, cacheCreation: 7 },
      completed: true,
      events: 4,
    });
  });

  it('reports tool-use streams', async () => {
    const bytes = await recordedStream({}, { tools: [{ name: 'lookup', input_schema: { type: 'object' } }] });
    expect(runChunked(anthropicStream(), bytes, []).report).toMatchObject({ stopReason: 'tool_use', completed: true });
  });

  it('reports an error event, keeping usage seen so far', async () => {
    const bytes = await recordedStream({
      usage: { input: 8 },
      streamError: { afterChunks: 2, type: 'overloaded_error', message: 'Overloaded' },
    });
    const { output, report } = runChunked(anthropicStream(), bytes, [3]);
    expect(output.equals(bytes)).toBe(true);
    expect(report).toMatchObject({
      events: 3,
      error: { type: 'overloaded_error', message: 'Overloaded' },
      completed: false,
      usage: { input: 8, output: 1, cacheRead: 0, cacheCreation: 0 },
    });
  });

  it('reports an empty stream and a dropped one', async () => {
    expect(runChunked(anthropicStream(), await recordedStream({ emptyStream: true }), []).report).toMatchObject({
      sawEvent: false,
      usage: null,
    });
    const cut = Buffer.from(
      `${event({ type: 'message_start', message: { id: 'm', usage: { input_tokens: 4, output_tokens: 1 } } })}event: content_block_delta\ndata: {"type":"content_blo`,
    );
    expect(runChunked(anthropicStream(), cut, [5]).report).toMatchObject({
      events: 2,
      malformedEvents: 1,
      completed: false,
      usage: { input: 4, output: 1 },
    });
  });

  it('stamps the time the first complete event arrived', () => {
    let now = 1;
    const transformer = anthropicStream(() => now);
    transformer.push(Buffer.from('event: ping\n'));
    now = 2;
    transformer.push(Buffer.from('data: {"type":"ping"}\n\n'));
    now = 3;
    expect(transformer.report()).toMatchObject({ firstEventAt: 2, events: 1 });
  });
});
