import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everySplit, runChunked, timeless } from './support/chunking.ts';
import { rawResponse } from './support/clients.ts';
import { type FakeBehavior, type FakeProvider, startFakeProvider } from './support/fake-provider.ts';
import { openAIStream } from './support/transformers.ts';

const MULTIBYTE = 'Grüße, 世界! 👋🏽 café — ok';
const USAGE_EVENT = /data: \{[^\n]*"choices":\[\][^\n]*\r?\n\r?\n/;

let fake: FakeProvider;
beforeAll(async () => {
  fake = await startFakeProvider();
});
afterAll(() => fake.close());

async function recordedStream(behavior: FakeBehavior, request: Record<string, unknown> = {}) {
  fake.enqueue(behavior);
  const { bytes } = await rawResponse(fake, '/v1/chat/completions', {
    model: 'gpt-4o',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
    stream_options: { include_usage: true },
    ...request,
  });
  return bytes;
}

const expectedReport = {
  sawEvent: true,
  id: 'chatcmpl-fake_1',
  model: 'gpt-4o',
  stopReason: 'stop',
  usage: { input: 40, output: 9, cacheRead: 60, cacheCreation: 0 },
  error: null,
  malformedEvents: 0,
  completed: true,
};

describe('OpenAI stream transformer', () => {
  let stream: Uint8Array;
  beforeAll(async () => {
    stream = await recordedStream({ text: MULTIBYTE, usage: { input: 40, output: 9, cacheRead: 60 } });
  });

  it('forwards every byte untouched when the client asked for usage, at every split', () => {
    for (const cuts of everySplit(stream)) {
      const { output, report } = runChunked(openAIStream(true), stream, cuts);
      expect(output.equals(stream)).toBe(true);
      expect(report).toMatchObject(expectedReport);
    }
  });

  it('hands back the very chunk it was given in pass-through mode', () => {
    const transformer = openAIStream(true);
    const chunk = stream.subarray(0, 50);
    expect(transformer.push(chunk)).toBe(chunk);
  });

  it('removes only the usage chunk when the client did not ask for it, at every split', () => {
    const text = Buffer.from(stream).toString('utf8');
    expect(text).toMatch(USAGE_EVENT);
    const expected = text.replace(USAGE_EVENT, '');
    const reference = timeless(runChunked(openAIStream(false), stream, []).report);
    expect(reference).toMatchObject({ ...expectedReport, events: 10 });
    for (const cuts of everySplit(stream)) {
      const { output, report } = runChunked(openAIStream(false), stream, cuts);
      expect(output.toString('utf8')).toBe(expected);
      expect(timeless(report)).toEqual(reference);
    }
  });

  it('handles CRLF and lone-CR line endings at every split', () => {
    for (const ending of ['\r\n', '\r']) {
      const converted = Buffer.from(Buffer.from(stream).toString('utf8').replaceAll('\n', ending));
      const expected = converted
        .toString('utf8')
        .replace(ending === '\r' ? /data: \{[^\r]*"choices":\[\][^\r]*\r\r/ : USAGE_EVENT, '');
      expect(expected.length).toBeLessThan(converted.length);
      for (const cuts of everySplit(converted)) {
        const { output, report } = runChunked(openAIStream(false), converted, cuts);
        expect(output.toString('utf8')).toBe(expected);
        expect(report).toMatchObject(expectedReport);
      }
    }
  });

  it('reports tool-call streams', async () => {
    const bytes = await recordedStream({}, { tools: [{ type: 'function', function: { name: 'lookup' } }] });
    expect(runChunked(openAIStream(false), bytes, []).report).toMatchObject({
      stopReason: 'tool_calls',
      completed: true,
    });
  });

  it('reports an error event and no completion', async () => {
    const bytes = await recordedStream({ streamError: { afterChunks: 3, type: 'server_error', message: 'boom' } });
    const { output, report } = runChunked(openAIStream(false), bytes, [7]);
    expect(output.equals(bytes)).toBe(true);
    expect(report).toMatchObject({
      sawEvent: true,
      events: 4,
      error: { type: 'server_error', message: 'boom' },
      completed: false,
      usage: null,
    });
  });

  it('reports an empty stream, and a final event missing its blank line', () => {
    expect(runChunked(openAIStream(false), new Uint8Array(0), []).report).toMatchObject({
      sawEvent: false,
      events: 0,
      firstEventAt: null,
    });
    const unterminated = Buffer.from('data: {"id":"c","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}');
    const { output, report } = runChunked(openAIStream(false), unterminated, [10]);
    expect(output.length).toBe(0);
    expect(report.usage).toEqual({ input: 3, output: 2, cacheRead: 0, cacheCreation: 0 });
  });

  it('counts malformed events, ignores comments and keeps forwarding', () => {
    const bytes = Buffer.from(
      ': keep-alive\n\ndata: {not json\n\ndata: {"id":"a","model":"m","choices":[{"delta":{},"finish_reason":"stop"}]}\n\n',
    );
    const { output, report } = runChunked(openAIStream(false), bytes, []);
    expect(output.equals(bytes)).toBe(true);
    expect(report).toMatchObject({ events: 2, malformedEvents: 1, id: 'a', stopReason: 'stop' });
  });

  it('stamps the time the first complete event arrived', () => {
    let now = 100;
    const transformer = openAIStream(false, () => now);
    transformer.push(Buffer.from('data: {"id":"a","cho'));
    now = 250;
    transformer.push(Buffer.from('ices":[]}\n\n'));
    now = 900;
    transformer.push(Buffer.from('data: [DONE]\n\n'));
    expect(transformer.report()).toMatchObject({ firstEventAt: 250, events: 2, completed: true });
  });
});
