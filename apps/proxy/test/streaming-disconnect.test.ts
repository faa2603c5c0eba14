import { request as httpRequest } from 'node:http';
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eventually, openHolds, runLedger, runRow, stepRow, sumUsd } from './support/calls.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';

/**
 * A client that goes away mid-stream: the upstream request is cancelled at once (the fake sees
 * its connection close long before it would have finished), the step is recorded as a
 * `client_disconnect` with the usage seen so far, the budget hold is released, and no socket is
 * left open. Every call in this file is cut short, so the fake never keeps an idle keep-alive
 * connection and "no open sockets" means zero.
 */

let h: ProxyHarness;
// 40 words at 150 ms apart: a complete stream would take about 6 s.
const LONG_TEXT = Array.from({ length: 40 }, (_, i) => `word${i}`).join(' ');
const CHUNK_DELAY_MS = 150;
const USAGE = { input: 50, output: 30, cacheRead: 200, cacheCreation: 100 };

beforeAll(async () => {
  h = await createProxyHarness({ policy: { budget: { hard_limit_usd: 20 } } });
});
afterAll(() => h?.close());
beforeEach(() => {
  h.fake.reset();
  h.fake.setBehavior({ text: LONG_TEXT, usage: USAGE, chunkDelayMs: CHUNK_DELAY_MS });
});

/** Waits for the step to be settled, then checks the bookkeeping every disconnect must leave. */
async function expectSettledDisconnect(stepId: string, runId: string, startedAt: number) {
  const step = await eventually(() => stepRow(h, stepId));
  // Far sooner than the 6 s the full stream takes: the upstream call was cancelled.
  expect(Date.now() - startedAt).toBeLessThan(3_000);
  expect(step).toMatchObject({ status: 'error', errorKind: 'client_disconnect', streaming: true });
  await eventually(async () => expect(h.fake.openConnections()).toBe(0));
  expect(await openHolds(h)).toEqual([]);
  const run = await runRow(h, runId);
  const ledger = await runLedger(h, runId);
  expect(run.totalCostUsd).toBe(sumUsd(ledger.map((e) => e.costUsd)));
  expect(run.totalTokens).toBe(
    ledger.reduce((n, e) => n + e.inputTokens + e.outputTokens + e.cacheReadTokens + e.cacheCreationTokens, 0),
  );
  return { step, run };
}

describe('client disconnect mid-stream', () => {
  it('OpenAI SDK aborts after the first chunk', async () => {
    const startedAt = Date.now();
    const body = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Long answer' }],
      stream: true,
    } as OpenAI.ChatCompletionCreateParamsStreaming;
    const { data, response } = await h
      .openai()
      .chat.completions.create(body, { headers: { 'x-rungate-new-run': 'true' } })
      .withResponse();
    const received: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of data) {
      received.push(chunk);
      data.controller.abort();
      break;
    }
    expect(received).toHaveLength(1);
    const runId = response.headers.get('x-rungate-run-id')!;
    const { step, run } = await expectSettledDisconnect(response.headers.get('x-rungate-step-id')!, runId, startedAt);
    // OpenAI reports usage only in its last chunk: none was seen, so nothing is charged.
    expect(step).toMatchObject({ inputTokens: 0, outputTokens: 0, costUsd: '0.0000000000' });
    expect(run).toMatchObject({ stepCount: 1, totalCostUsd: '0.0000000000' });
    expect(h.fake.requests).toHaveLength(1);
  });

  it('Anthropic SDK aborts after the first event: the usage of message_start is recorded', async () => {
    const startedAt = Date.now();
    const body = {
      model: 'claude-3-5-haiku-latest',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Long answer' }],
      stream: true,
    } as Anthropic.MessageCreateParamsStreaming;
    const { data, response } = await h
      .anthropic()
      .messages.create(body, { headers: { 'x-rungate-new-run': 'true' } })
      .withResponse();
    let first: Anthropic.RawMessageStreamEvent | undefined;
    for await (const event of data) {
      first = event;
      data.controller.abort();
      break;
    }
    expect(first?.type).toBe('message_start');
    const runId = response.headers.get('x-rungate-run-id')!;
    const { step, run } = await expectSettledDisconnect(response.headers.get('x-rungate-step-id')!, runId, startedAt);
    // message_start carries the input buckets and a provisional output count of 1.
    expect(step).toMatchObject({ inputTokens: 50, cacheReadTokens: 200, cacheCreationTokens: 100, outputTokens: 1 });
    // (50 x 0.8 + 1 x 4 + 200 x 0.08 + 100 x 1) / 1e6
    expect(step.costUsd).toBe('0.0001600000');
    expect(run).toMatchObject({ stepCount: 1, totalCostUsd: '0.0001600000', totalTokens: 351 });
  });

  it('a socket destroyed after some events: the usage seen so far is kept', async () => {
    h.fake.setBehavior({
      text: LONG_TEXT,
      usage: { ...USAGE, output: 400 },
      chunkDelayMs: CHUNK_DELAY_MS,
      messageDeltas: 1,
    });
    const startedAt = Date.now();
    const { headers, chunks } = await new Promise<{ headers: Record<string, unknown>; chunks: string[] }>(
      (resolve, reject) => {
        const req = httpRequest(`${h.baseUrl}/v1/messages`, {
          method: 'POST',
          headers: { 'x-api-key': h.agent.key, 'content-type': 'application/json', 'x-rungate-new-run': 'true' },
        });
        req.on('response', (res) => {
          const chunks: string[] = [];
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk.toString('utf8'));
            // After a few text deltas: pull the plug.
            if (chunks.join('').split('content_block_delta').length > 3) {
              req.destroy();
              resolve({ headers: res.headers, chunks });
            }
          });
          res.on('error', () => undefined);
        });
        req.on('error', () => undefined);
        req.on('close', () => reject(new Error('closed before enough events')));
        req.end(
          JSON.stringify({
            model: 'claude-3-5-haiku-latest',
            max_tokens: 1024,
            stream: true,
            messages: [{ role: 'user', content: 'Long' }],
          }),
        );
      },
    );
    expect(chunks.join('')).toContain('event: message_start');
    const runId = headers['x-rungate-run-id'] as string;
    const { step } = await expectSettledDisconnect(headers['x-rungate-step-id'] as string, runId, startedAt);
    expect(step).toMatchObject({ inputTokens: 50, cacheReadTokens: 200, cacheCreationTokens: 100 });
    // The final message_delta (output 400) never arrived.
    expect(step.outputTokens).toBeLessThan(400);
  });

  it('a later call on the same run works and the run keeps counting', async () => {
    h.fake.setBehavior({ text: LONG_TEXT, usage: USAGE, chunkDelayMs: CHUNK_DELAY_MS });
    const body = {
      model: 'claude-3-5-haiku-latest',
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Again' }],
      stream: true,
    } as Anthropic.MessageCreateParamsStreaming;
    const first = await h
      .anthropic()
      .messages.create(body, { headers: { 'x-rungate-new-run': 'true' } })
      .withResponse();
    for await (const _ of first.data) {
      first.data.controller.abort();
      break;
    }
    const runId = first.response.headers.get('x-rungate-run-id')!;
    await eventually(() => stepRow(h, first.response.headers.get('x-rungate-step-id')!));
    const second = await h
      .anthropic()
      .messages.create(body, { headers: { 'x-rungate-run-id': runId } })
      .withResponse();
    for await (const _ of second.data) {
      second.data.controller.abort();
      break;
    }
    await eventually(() => stepRow(h, second.response.headers.get('x-rungate-step-id')!));
    await eventually(async () => expect(h.fake.openConnections()).toBe(0));
    expect(await runRow(h, runId)).toMatchObject({ stepCount: 2, status: 'running', totalTokens: 702 });
    expect(await openHolds(h)).toEqual([]);
  });
});
