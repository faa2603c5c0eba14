import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chat, eventually, message, openHolds, refusal, runLedger, runRow, runSteps } from './support/calls.ts';
import type { FakeBehavior } from './support/fake-provider.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';

/**
 * Upstream failures: the caller gets 502 `provider_error` with details (or the provider's own
 * 4xx for its mistakes), the failed step is recorded with its failure kind and no cost, and the
 * budget hold is released.
 */

let h: ProxyHarness;
// The smallest whole-request deadline a policy accepts (it may not undercut connect_timeout_ms, at least 1 s).
const TIMEOUT_MS = 1000;

beforeAll(async () => {
  // One provider per format, one attempt and no circuit breaker, so each failure is seen as it
  // is (failover and breakers have their own tests).
  const routing = {
    timeout_ms: TIMEOUT_MS,
    connect_timeout_ms: TIMEOUT_MS,
    max_retries: 1,
    circuit_breaker: { failure_threshold: 0 },
    model_routes: [
      { pattern: 'gpt-*', chain: ['openai'] },
      { pattern: 'claude-*', chain: ['anthropic'] },
    ],
  };
  h = await createProxyHarness({ policy: { budget: { hard_limit_usd: 10, hard_limit_tokens: 500_000 }, routing } });
});
afterAll(() => h?.close());
beforeEach(() => h.fake.reset());

const failures: [string, FakeBehavior, { kind: string; status: number; stepStatus: string; message: RegExp }][] = [
  [
    'a 500',
    { status: 500, errorMessage: 'upstream exploded' },
    { kind: 'http_error', status: 500, stepStatus: 'error', message: /upstream exploded/ },
  ],
  [
    'a 503 overloaded',
    { status: 503, errorMessage: 'overloaded, try later', retryAfter: '3' },
    { kind: 'http_error', status: 503, stepStatus: 'error', message: /overloaded/ },
  ],
  [
    'a dropped connection',
    { dropAfterChunks: 0 },
    { kind: 'network_error', status: 502, stepStatus: 'error', message: /./ },
  ],
  [
    'a hang past routing.timeout_ms',
    { hang: true },
    { kind: 'request_timeout', status: 504, stepStatus: 'timeout', message: /./ },
  ],
];

describe.each(['openai', 'anthropic'] as const)('%s format', (format) => {
  const send = (headers: Record<string, string>) =>
    format === 'openai' ? chat(h.openai(), {}, headers) : message(h.anthropic(), {}, headers);
  const provider = format;

  it.each(failures)(
    '%s: 502 provider_error, failed step without cost, hold released',
    async (_name, behavior, expected) => {
      h.fake.setBehavior(behavior);
      const runId = randomUUID();
      const started = Date.now();
      const failed = await refusal(send({ 'x-rungate-run-id': runId }));
      expect(failed.status).toBe(502);
      expect(failed.body).toEqual({
        error: {
          type: 'provider_error',
          message: expect.stringMatching(/^The provider failed: /),
          details: [
            {
              provider,
              status: expected.status,
              message: expect.stringMatching(expected.message),
              kind: expected.kind,
            },
          ],
        },
      });
      if (behavior.hang) expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 2_000);
      expect(failed.headers.get('x-rungate-run-id')).toBe(runId);

      const [step, ...others] = await runSteps(h, runId);
      expect(others).toEqual([]);
      expect(step).toMatchObject({
        status: expected.stepStatus,
        errorKind: expected.kind,
        provider,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: '0.0000000000',
        id: failed.headers.get('x-rungate-step-id'),
      });
      expect(step?.response).toMatchObject({ error: { kind: expected.kind, provider, status: expected.status } });
      expect(await runLedger(h, runId)).toEqual([]);
      expect(await runRow(h, runId)).toMatchObject({
        stepCount: 1,
        totalCostUsd: '0.0000000000',
        totalTokens: 0,
        status: 'running',
        primaryModel: null,
      });
      expect(await openHolds(h)).toEqual([]);
    },
  );

  it('a 400 from the provider is passed through to the client as sent', async () => {
    h.fake.setBehavior({ status: 400, errorMessage: 'messages: field required' });
    const runId = randomUUID();
    const failed = await refusal(send({ 'x-rungate-run-id': runId }));
    expect(failed.status).toBe(400);
    const expectedBody =
      format === 'openai'
        ? { error: { message: 'messages: field required', type: 'invalid_request_error', param: null, code: null } }
        : { type: 'error', error: { type: 'invalid_request_error', message: 'messages: field required' } };
    expect(failed.body).toEqual(format === 'openai' ? { error: expectedBody.error } : expectedBody);
    const [step] = await runSteps(h, runId);
    expect(step).toMatchObject({ status: 'error', errorKind: 'http_error', costUsd: '0.0000000000' });
    expect(step?.response).toMatchObject({ error: { kind: 'http_error', status: 400 } });
    expect(await openHolds(h)).toEqual([]);
  });

  it('a streaming call whose provider fails before streaming gets the same 502', async () => {
    h.fake.setBehavior({ status: 500 });
    const runId = randomUUID();
    const request =
      format === 'openai'
        ? h
            .openai()
            .chat.completions.create(
              { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true },
              { headers: { 'x-rungate-run-id': runId } },
            )
        : h.anthropic().messages.create(
            {
              model: 'claude-3-5-haiku-latest',
              max_tokens: 64,
              messages: [{ role: 'user', content: 'x' }],
              stream: true,
            },
            { headers: { 'x-rungate-run-id': runId } },
          );
    const failed = await refusal(request);
    expect(failed.status).toBe(502);
    expect(failed.body).toMatchObject({ error: { type: 'provider_error' } });
    expect(await runSteps(h, runId)).toMatchObject([
      { status: 'error', errorKind: 'http_error', streaming: true, costUsd: '0.0000000000' },
    ]);
    expect(await openHolds(h)).toEqual([]);
  });
});

describe('failures mid-stream', () => {
  it('an error event mid-stream: the step is a mid_stream_error with the usage seen, hold released', async () => {
    h.fake.setBehavior({
      usage: { input: 40, output: 10, cacheRead: 0, cacheCreation: 0 },
      streamError: { afterChunks: 3 },
    });
    const runId = randomUUID();
    const { data } = await h
      .anthropic()
      .messages.create(
        { model: 'claude-3-5-haiku-latest', max_tokens: 64, messages: [{ role: 'user', content: 'x' }], stream: true },
        { headers: { 'x-rungate-run-id': runId } },
      )
      .withResponse();
    await expect(async () => {
      for await (const _ of data);
    }).rejects.toThrow();
    const [step] = await eventually(async () => {
      const rows = await runSteps(h, runId);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(step).toMatchObject({ status: 'error', errorKind: 'mid_stream_error', inputTokens: 40 });
    const run = await runRow(h, runId);
    const ledger = await runLedger(h, runId);
    expect(ledger.map((e) => e.costUsd)).toEqual([step!.costUsd]);
    expect(run.totalCostUsd).toBe(step!.costUsd);
    expect(await openHolds(h)).toEqual([]);
  });

  it('a connection dropped mid-stream ends the client stream and records the step', async () => {
    h.fake.setBehavior({ dropAfterChunks: 2 });
    const runId = randomUUID();
    const stream = await h
      .openai()
      .chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true },
        { headers: { 'x-rungate-run-id': runId } },
      );
    const received: unknown[] = [];
    await Promise.resolve()
      .then(async () => {
        for await (const chunk of stream) received.push(chunk);
      })
      .catch(() => undefined);
    const [step] = await eventually(async () => {
      const rows = await runSteps(h, runId);
      expect(rows).toHaveLength(1);
      return rows;
    });
    expect(step).toMatchObject({ status: 'error', errorKind: 'mid_stream_error', costUsd: '0.0000000000' });
    expect(await openHolds(h)).toEqual([]);
  });
});
