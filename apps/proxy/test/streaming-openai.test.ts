import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chat, eventually, openHolds, runRow, stepRow } from './support/calls.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';

/**
 * OpenAI Chat Completions streaming through the proxy with the official SDK: bytes pass through
 * intact, the usage chunk reaches only clients that asked for it, usage is accounted, and the
 * headers are the ones known before the first byte.
 */

let h: ProxyHarness;
const TEXT = 'Streaming through Rungate, byte for byte: ünïcödé, emoji 🚀, and "quotes".';
// gpt-4o-mini per million: input 0.15, cache read 0.075, output 0.60.
const USAGE = { input: 100, output: 40, cacheRead: 60, cacheCreation: 0 };
const COST = '0.0000435000'; // (100 x 0.15 + 60 x 0.075 + 40 x 0.6) / 1e6

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
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Stream please' }],
    stream: true,
    ...extra,
  } as OpenAI.ChatCompletionCreateParamsStreaming;
  const { data, response } = await h.openai().chat.completions.create(body, { headers }).withResponse();
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of data) chunks.push(chunk);
  const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
  return { chunks, text, headers: response.headers };
}

describe('OpenAI streaming', () => {
  it('delivers the text intact', async () => {
    const { text, chunks } = await stream();
    expect(text).toBe(TEXT);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('hides the usage chunk from a client that did not ask for it, and still accounts usage', async () => {
    const { chunks, headers } = await stream();
    expect(chunks.every((c) => c.usage == null)).toBe(true);
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    // The proxy asked upstream for usage anyway, to account for the call.
    expect(h.fake.requests.at(-1)?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });

    const step = await eventually(async () => {
      const row = await stepRow(h, headers.get('x-rungate-step-id')!);
      return row;
    });
    expect(step).toMatchObject({
      status: 'success',
      streaming: true,
      inputTokens: 100,
      outputTokens: 40,
      cacheReadTokens: 60,
      cacheCreationTokens: 0,
      costUsd: COST,
      errorKind: null,
    });
  });

  it('passes the usage chunk to a client that asked for it', async () => {
    const { chunks, text } = await stream({ stream_options: { include_usage: true } });
    expect(text).toBe(TEXT);
    const usageChunks = chunks.filter((c) => c.usage);
    expect(usageChunks).toHaveLength(1);
    expect(usageChunks[0]).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 160,
        completion_tokens: 40,
        total_tokens: 200,
        prompt_tokens_details: { cached_tokens: 60 },
      },
    });
    expect(chunks.at(-1)).toBe(usageChunks[0]);
  });

  it('accounts usage in the step and the run, in four buckets', async () => {
    const first = await stream({ stream_options: { include_usage: true } }, { 'x-rungate-new-run': 'true' });
    const runId = first.headers.get('x-rungate-run-id')!;
    const second = await stream();
    expect(second.headers.get('x-rungate-run-id')).toBe(runId);
    await eventually(async () => expect(await runRow(h, runId)).toMatchObject({ stepCount: 2 }));
    const run = await runRow(h, runId);
    expect(run).toMatchObject({
      inputTokens: 200,
      outputTokens: 80,
      cacheReadTokens: 120,
      cacheCreationTokens: 0,
      totalTokens: 400,
      totalCostUsd: '0.0000870000',
    });
    expect(await openHolds(h)).toEqual([]);
  });

  it('sends run id, step id, provider and model on streams, and no usage headers', async () => {
    const { headers } = await stream();
    expect(headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(headers.get('x-rungate-run-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers.get('x-rungate-step-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers.get('x-rungate-provider')).toBe('openai');
    expect(headers.get('x-rungate-model')).toBe('gpt-4o-mini');
    for (const name of [
      'x-rungate-tokens-used',
      'x-rungate-cost-usd',
      'x-rungate-budget-remaining-usd',
      'x-rungate-budget-remaining-tokens',
    ]) {
      expect(headers.get(name), name).toBeNull();
    }
    // The same call without streaming carries them.
    const plain = await chat(h.openai());
    expect(plain.headers.get('x-rungate-tokens-used')).toBe('200');
    expect(plain.headers.get('x-rungate-cost-usd')).toBe(String(Number(COST)));
    expect(plain.headers.get('x-rungate-budget-remaining-usd')).not.toBeNull();
    expect(plain.headers.get('x-rungate-budget-remaining-tokens')).not.toBeNull();
  });

  it('streams tool calls intact', async () => {
    h.fake.setBehavior({ toolCall: { name: 'lookup', arguments: { query: 'rungate', page: 2 } }, usage: USAGE });
    const tools = [
      {
        type: 'function',
        function: { name: 'lookup', description: 'Looks things up', parameters: { type: 'object', properties: {} } },
      },
    ];
    const { chunks } = await stream({ tools });
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'lookup' } });
    expect(JSON.parse(calls.map((c) => c.function?.arguments ?? '').join(''))).toEqual({ query: 'rungate', page: 2 });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });
});
