import type Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually, message, openHolds, runLedger, runRow, stepRow } from './support/calls.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';

/**
 * Anthropic Messages streaming through the proxy with the official SDK: events pass through
 * intact, usage from `message_start` and the cumulative `message_delta`s is counted once, and
 * the headers are the ones known before the first byte.
 */

let h: ProxyHarness;
const TEXT = 'Anthropic stream through Rungate — intact, with ünïcödé and 🚀.';
// claude-3-5-haiku-latest per million: input 0.80, output 4.00, cache read 0.08, cache write 1.00.
const USAGE = { input: 50, output: 30, cacheRead: 200, cacheCreation: 100 };
const COST = '0.0002760000'; // (50 x 0.8 + 30 x 4 + 200 x 0.08 + 100 x 1) / 1e6

beforeAll(async () => {
  h = await createProxyHarness({ policy: { budget: { hard_limit_usd: 50, hard_limit_tokens: 1_000_000 } } });
});
afterAll(() => h?.close());
beforeEach(() => {
  h.fake.reset();
  h.fake.setBehavior({ text: TEXT, usage: USAGE });
});

async function stream(extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const body = {
    model: 'claude-3-5-haiku-latest',
    max_tokens: 512,
    messages: [{ role: 'user', content: 'Stream please' }],
    stream: true,
    ...extra,
  } as Anthropic.MessageCreateParamsStreaming;
  const { data, response } = await h.anthropic().messages.create(body, { headers }).withResponse();
  const events: Anthropic.RawMessageStreamEvent[] = [];
  for await (const event of data) events.push(event);
  const text = events
    .map((e) => (e.type === 'content_block_delta' && e.delta.type === 'text_delta' ? e.delta.text : ''))
    .join('');
  return { events, text, headers: response.headers };
}

describe('Anthropic streaming', () => {
  it('delivers the text and every event intact', async () => {
    const { events, text } = await stream();
    expect(text).toBe(TEXT);
    expect(events[0]?.type).toBe('message_start');
    expect(events.at(-1)?.type).toBe('message_stop');
    expect(events.filter((e) => e.type === 'message_delta')).toHaveLength(1);
  });

  it('accounts the four buckets in the step and the run', async () => {
    const { headers } = await stream({}, { 'x-rungate-new-run': 'true' });
    const runId = headers.get('x-rungate-run-id')!;
    const step = await eventually(() => stepRow(h, headers.get('x-rungate-step-id')!));
    expect(step).toMatchObject({
      status: 'success',
      streaming: true,
      inputTokens: 50,
      outputTokens: 30,
      cacheReadTokens: 200,
      cacheCreationTokens: 100,
      costUsd: COST,
    });
    expect(await runRow(h, runId)).toMatchObject({
      inputTokens: 50,
      outputTokens: 30,
      cacheReadTokens: 200,
      cacheCreationTokens: 100,
      totalTokens: 380,
      totalCostUsd: COST,
    });
    expect((await runLedger(h, runId)).map((e) => e.costUsd)).toEqual([COST]);
    expect(await openHolds(h)).toEqual([]);
  });

  it('counts cumulative message_delta usage once: the last value, never the sum', async () => {
    h.fake.setBehavior({ text: TEXT, usage: { ...USAGE, output: 90 }, messageDeltas: 4 });
    const { events, headers } = await stream({}, { 'x-rungate-new-run': 'true' });
    const deltas = events.filter((e): e is Anthropic.RawMessageDeltaEvent => e.type === 'message_delta');
    expect(deltas.map((d) => d.usage.output_tokens)).toEqual([23, 45, 68, 90]);
    const step = await eventually(() => stepRow(h, headers.get('x-rungate-step-id')!));
    expect(step).toMatchObject({ outputTokens: 90, inputTokens: 50, cacheReadTokens: 200, cacheCreationTokens: 100 });
    // (50 x 0.8 + 90 x 4 + 200 x 0.08 + 100 x 1) / 1e6
    expect(step.costUsd).toBe('0.0005160000');
    expect(await runRow(h, headers.get('x-rungate-run-id')!)).toMatchObject({ outputTokens: 90, totalTokens: 440 });
  });

  it('works with the SDK stream helper, whose final message carries the usage', async () => {
    const helper = h.anthropic().messages.stream({
      model: 'claude-3-5-haiku-latest',
      max_tokens: 512,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const final = await helper.finalMessage();
    expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: TEXT })]);
    expect(final.usage).toMatchObject({
      input_tokens: 50,
      output_tokens: 30,
      cache_read_input_tokens: 200,
      cache_creation_input_tokens: 100,
    });
  });

  it('sends run id, step id, provider and model on streams, and no usage headers', async () => {
    const { headers } = await stream();
    expect(headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(headers.get('x-rungate-run-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers.get('x-rungate-step-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers.get('x-rungate-provider')).toBe('anthropic');
    expect(headers.get('x-rungate-model')).toBe('claude-3-5-haiku-latest');
    for (const name of [
      'x-rungate-tokens-used',
      'x-rungate-cost-usd',
      'x-rungate-budget-remaining-usd',
      'x-rungate-budget-remaining-tokens',
    ]) {
      expect(headers.get(name), name).toBeNull();
    }
    const plain = await message(h.anthropic());
    expect(plain.headers.get('x-rungate-tokens-used')).toBe('380');
    expect(plain.headers.get('x-rungate-cost-usd')).toBe(String(Number(COST)));
    expect(plain.headers.get('x-rungate-budget-remaining-usd')).not.toBeNull();
  });

  it('streams tool use intact', async () => {
    h.fake.setBehavior({ toolCall: { name: 'search', arguments: { q: 'budgets', limit: 3 } }, usage: USAGE });
    const tools = [{ name: 'search', description: 'Searches', input_schema: { type: 'object', properties: {} } }];
    const { events } = await stream({ tools });
    const start = events.find(
      (e): e is Anthropic.RawContentBlockStartEvent =>
        e.type === 'content_block_start' && e.content_block.type === 'tool_use',
    );
    expect(start?.content_block).toMatchObject({ type: 'tool_use', name: 'search' });
    const json = events
      .map((e) => (e.type === 'content_block_delta' && e.delta.type === 'input_json_delta' ? e.delta.partial_json : ''))
      .join('');
    expect(JSON.parse(json)).toEqual({ q: 'budgets', limit: 3 });
  });
});
