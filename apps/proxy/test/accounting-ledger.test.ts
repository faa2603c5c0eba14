import { randomUUID } from 'node:crypto';
import type Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  chat,
  eventually,
  fromUnits,
  message,
  openHolds,
  refusal,
  runLedger,
  runRow,
  runSteps,
  spendByMinute,
  sumUsd,
  toUnits,
} from './support/calls.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';

/**
 * The accounting identity: after any mix of calls (streaming or not, both formats, cached
 * tokens, blocked and failed calls, an unpriced model) a run's totals equal the sum of its
 * ledger, bucket by bucket, and every charge is the exact price of the model.
 */

let h: ProxyHarness;
const LIMIT_USD = 100;

beforeAll(async () => {
  // No retries: the queued 500 must stay a failed call (failover is tested on its own).
  h = await createProxyHarness({
    policy: {
      budget: { hard_limit_usd: LIMIT_USD, hard_limit_tokens: 10_000_000 },
      blocked_models: ['gpt-4-forbidden*'],
      routing: { retry_on: [] },
    },
  });
});
afterAll(() => h?.close());
beforeEach(() => h.fake.reset());

async function drainOpenAI(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  for await (const _ of stream);
}
async function drainAnthropic(stream: AsyncIterable<Anthropic.RawMessageStreamEvent>) {
  for await (const _ of stream);
}

describe('exact costs from the model price', () => {
  it.each([
    // gpt-4o per million: input 2.50, cache read 1.25, output 10.00
    ['openai', 'gpt-4o', { input: 1000, output: 500, cacheRead: 2000, cacheCreation: 0 }, '0.0100000000'],
    // gpt-4o-mini: input 0.15, cache read 0.075, output 0.60
    ['openai', 'gpt-4o-mini', { input: 7, output: 3, cacheRead: 1, cacheCreation: 0 }, '0.0000029250'],
    // claude-3-5-haiku-latest: input 0.80, output 4.00, cache read 0.08, cache write 1.00
    [
      'anthropic',
      'claude-3-5-haiku-latest',
      { input: 50, output: 30, cacheRead: 200, cacheCreation: 100 },
      '0.0002760000',
    ],
    // claude-sonnet-4-5: input 3.00, output 15.00, cache read 0.30, cache write 3.75
    [
      'anthropic',
      'claude-sonnet-4-5',
      { input: 1000, output: 100, cacheRead: 400, cacheCreation: 200 },
      '0.0053700000',
    ],
  ] as const)('%s %s', async (format, model, usage, cost) => {
    h.fake.setBehavior({ usage });
    const runId = randomUUID();
    const headers = { 'x-rungate-run-id': runId };
    const response =
      format === 'openai'
        ? await chat(h.openai(), { model }, headers)
        : await message(h.anthropic(), { model }, headers);
    const tokens = usage.input + usage.output + usage.cacheRead + usage.cacheCreation;
    expect(response.headers.get('x-rungate-cost-usd')).toBe(String(Number(cost)));
    expect(response.headers.get('x-rungate-tokens-used')).toBe(String(tokens));
    expect(response.headers.get('x-rungate-budget-remaining-usd')).toBe(
      String(Number(fromUnits(toUnits(String(LIMIT_USD)) - toUnits(cost)))),
    );
    expect(response.headers.get('x-rungate-budget-remaining-tokens')).toBe(String(10_000_000 - tokens));
    const [step] = await runSteps(h, runId);
    expect(step).toMatchObject({
      costUsd: cost,
      priceMissing: false,
      inputTokens: usage.input,
      outputTokens: usage.output,
      cacheReadTokens: usage.cacheRead,
      cacheCreationTokens: usage.cacheCreation,
    });
    expect((await runLedger(h, runId)).map((e) => [e.stepId, e.costUsd])).toEqual([[step!.id, cost]]);
  });

  it('an unknown model costs 0, is flagged on the step, and its tokens are still counted', async () => {
    h.fake.setBehavior({ usage: { input: 11, output: 5, cacheRead: 0, cacheCreation: 0 } });
    const runId = randomUUID();
    const { data, headers } = await chat(h.openai(), { model: 'acme-unlisted-model-1' }, { 'x-rungate-run-id': runId });
    expect(data.choices[0]?.message.content).toBe('Hello from the fake provider.');
    expect(headers.get('x-rungate-cost-usd')).toBe('0');
    const [step] = await runSteps(h, runId);
    expect(step).toMatchObject({
      status: 'success',
      costUsd: '0.0000000000',
      priceMissing: true,
      inputTokens: 11,
      outputTokens: 5,
    });
    expect(await runRow(h, runId)).toMatchObject({ totalTokens: 16, totalCostUsd: '0.0000000000' });
  });
});

describe('run totals equal the sum of the ledger', () => {
  it('after a mix of streaming, non-streaming, cached, blocked, failed and unpriced calls', async () => {
    const runId = randomUUID();
    const headers = { 'x-rungate-run-id': runId };
    const openai = h.openai();
    const anthropic = h.anthropic();

    h.fake.enqueue(
      { usage: { input: 1000, output: 500, cacheRead: 2000, cacheCreation: 0 } },
      { usage: { input: 100, output: 40, cacheRead: 60, cacheCreation: 0 } },
      { usage: { input: 50, output: 30, cacheRead: 200, cacheCreation: 100 } },
      { usage: { input: 1000, output: 100, cacheRead: 400, cacheCreation: 200 }, messageDeltas: 3 },
      { status: 500 },
      { usage: { input: 9, output: 9, cacheRead: 0, cacheCreation: 0 } },
      { usage: { input: 30, output: 20, cacheRead: 0, cacheCreation: 0 } },
    );
    await chat(openai, { model: 'gpt-4o' }, headers);
    await drainOpenAI(
      await openai.chat.completions.create(
        {
          model: 'gpt-4o-mini',
          messages: [{ role: 'user', content: 'hi' }],
          stream: true,
          stream_options: { include_usage: true },
        },
        { headers },
      ),
    );
    await message(anthropic, { model: 'claude-3-5-haiku-latest' }, headers);
    await drainAnthropic(
      await anthropic.messages.create(
        { model: 'claude-sonnet-4-5', max_tokens: 300, messages: [{ role: 'user', content: 'hi' }], stream: true },
        { headers },
      ),
    );
    const blocked = await refusal(chat(openai, { model: 'gpt-4-forbidden-preview' }, headers));
    expect(blocked.status).toBe(403);
    const failed = await refusal(message(anthropic, {}, headers));
    expect(failed.status).toBe(502);
    await chat(openai, { model: 'acme-unlisted-model-1' }, headers);
    // gpt-4o-mini stream without include_usage: usage is hidden from the client, still charged.
    await drainOpenAI(
      await openai.chat.completions.create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true },
        { headers },
      ),
    );

    const steps = await eventually(async () => {
      const rows = await runSteps(h, runId);
      expect(rows).toHaveLength(8);
      return rows;
    });
    expect(steps.map((s) => [s.stepNumber, s.status, s.costUsd])).toEqual([
      [1, 'success', '0.0100000000'],
      [2, 'success', '0.0000435000'],
      [3, 'success', '0.0002760000'],
      [4, 'success', '0.0053700000'],
      [5, 'policy_blocked', '0.0000000000'],
      [6, 'error', '0.0000000000'],
      [7, 'success', '0.0000000000'],
      // (30 x 0.15 + 20 x 0.6) / 1e6
      [8, 'success', '0.0000165000'],
    ]);

    const ledger = await runLedger(h, runId);
    // Steps that consumed nothing (the block, the failure) have no ledger entry.
    expect(new Set(ledger.map((e) => e.stepId))).toEqual(new Set([1, 2, 3, 4, 7, 8].map((n) => steps[n - 1]!.id)));
    for (const entry of ledger) {
      const step = steps.find((s) => s.id === entry.stepId)!;
      expect([
        entry.costUsd,
        entry.inputTokens,
        entry.outputTokens,
        entry.cacheReadTokens,
        entry.cacheCreationTokens,
      ]).toEqual([step.costUsd, step.inputTokens, step.outputTokens, step.cacheReadTokens, step.cacheCreationTokens]);
    }

    const run = await runRow(h, runId);
    const sum = (pick: (e: (typeof ledger)[number]) => number) => ledger.reduce((n, e) => n + pick(e), 0);
    expect(run.totalCostUsd).toBe(sumUsd(ledger.map((e) => e.costUsd)));
    expect(run.totalCostUsd).toBe('0.0157060000');
    expect({
      input: run.inputTokens,
      output: run.outputTokens,
      cacheRead: run.cacheReadTokens,
      cacheCreation: run.cacheCreationTokens,
    }).toEqual({
      input: sum((e) => e.inputTokens),
      output: sum((e) => e.outputTokens),
      cacheRead: sum((e) => e.cacheReadTokens),
      cacheCreation: sum((e) => e.cacheCreationTokens),
    });
    expect(run.totalTokens).toBe(
      sum((e) => e.inputTokens + e.outputTokens + e.cacheReadTokens + e.cacheCreationTokens),
    );
    expect(run).toMatchObject({ stepCount: 8, hasGovernanceBlock: true, primaryModel: 'gpt-4o', status: 'running' });
    expect(await openHolds(h)).toEqual([]);
    // What the hourly cap counts moved with the ledger, minute by minute.
    const { ledger: byMinute, counted } = await spendByMinute(h, h.agent.id);
    expect(byMinute.length).toBeGreaterThan(0);
    expect(counted).toEqual(byMinute);

    // The admin API reads the same figures.
    const admin = await h.services.runs.get(h.ctx, runId);
    const adminLedger = await h.services.runs.ledger(h.ctx, runId);
    expect(adminLedger.total).toBe(6);
    expect(admin.cost_usd).toBeCloseTo(
      adminLedger.data.reduce((n, e) => n + Number(e.cost_usd), 0),
      10,
    );
  });
});
