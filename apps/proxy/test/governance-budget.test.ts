import { budgetReservations } from '@rungate/db';
import { ManualClock } from '@rungate/governance';
import { eq } from 'drizzle-orm';
import type OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  contextOf,
  expectBlockedStep,
  HAIKU,
  MINI,
  refused,
  runOf,
  scenario,
  stepsOf,
  USER,
  upstreamSince,
} from './support/governance.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';

let h: ProxyHarness;
const clock = new ManualClock(Date.UTC(2026, 4, 4, 9, 0, 0));

beforeAll(async () => {
  h = await createProxyHarness({ clock });
});
afterEach(() => h.fake.reset());
afterAll(() => h?.close());

// Every call in this file answers 20 input and 1000 output tokens, within its max_tokens of 1000.
const USAGE = { input: 20, output: 1000 };
const MINI_CALL = (USAGE.input * MINI.input + USAGE.output * MINI.output) / 1e6; // 0.000603
const HAIKU_CALL = (USAGE.input * HAIKU.input + USAGE.output * HAIKU.output) / 1e6; // 0.004016
const holdsOf = (runId: string) =>
  h.services.deps.db.select().from(budgetReservations).where(eq(budgetReservations.runId, runId));

const ask = (client: OpenAI, headers: Record<string, string> = {}) =>
  client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: USER, max_tokens: 1000 }, { headers })
    .withResponse();

describe('hard_limit_usd', () => {
  it('refuses with 402 the call whose worst case no longer fits, ends the run as budget_exceeded, and starts a new run on the next call', async () => {
    const s = await scenario(h, { budget: { hard_limit_usd: 0.0015 } });
    h.fake.setBehavior({ usage: USAGE });

    const first = await ask(s.openai);
    const runId = first.response.headers.get('x-rungate-run-id')!;
    expect(first.response.headers.get('x-rungate-cost-usd')).toBe('0.000603');
    expect(Number(first.response.headers.get('x-rungate-cost-usd'))).toBeCloseTo(MINI_CALL, 12);
    expect(first.response.headers.get('x-rungate-tokens-used')).toBe('1020');
    expect(first.response.headers.get('x-rungate-budget-remaining-usd')).toBe('0.000897');
    expect(first.response.headers.get('x-rungate-budget-remaining-tokens')).toBeNull();
    const second = await ask(s.openai);
    expect(second.response.headers.get('x-rungate-budget-remaining-usd')).toBe('0.000294');
    expect(await holdsOf(runId)).toEqual([]);

    // Worst case: the input estimate plus 1000 output tokens at $0.60/M, over $0.0006 > $0.000294 left.
    const from = h.fake.requests.length;
    const blocked = await refused(
      s.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: USER, max_tokens: 1000 }),
    );
    expect(blocked.status).toBe(402);
    expect(blocked.headers.get('x-rungate-run-id')).toBe(runId);
    expect(blocked.body).toEqual({
      error: {
        type: 'governance_block',
        code: 'budget_exceeded',
        message: "The run's cost budget cannot pay for this call (hard_limit_usd)",
        run_id: runId,
        details: {
          limit: 'hard_limit_usd',
          limit_value: 0.0015,
          remaining_usd: 0.000294,
          remaining_tokens: null,
          remaining_hourly_usd: null,
        },
        context: contextOf(s, { steps: 2, cost: 0.001206, tokens: 2040 }),
      },
    });
    expect(upstreamSince(h, from)).toEqual([]);
    await expectBlockedStep(h, runId, 'budget_blocked', 'budget_exceeded');
    expect(await runOf(h, runId)).toMatchObject({
      status: 'budget_exceeded',
      endedReason: 'cost_limit',
      totalCostUsd: '0.0012060000',
      totalTokens: 2040,
      stepCount: 3,
      hasGovernanceBlock: true,
    });
    expect(Number((await runOf(h, runId)).totalCostUsd)).toBeLessThanOrEqual(0.0015);
    expect(await holdsOf(runId)).toEqual([]);

    // Naming the ended run gets 402 too.
    const named = await refused(
      s.anthropic.messages.create(
        { model: 'claude-3-5-haiku-latest', max_tokens: 10, messages: USER },
        { headers: { 'x-rungate-run-id': runId } },
      ),
    );
    expect(named.status).toBe(402);
    expect(named.body).toEqual({
      error: {
        type: 'governance_block',
        code: 'budget_exceeded',
        message: 'This run ended because it reached its budget; start a new run',
        run_id: runId,
        details: { ended_reason: 'cost_limit' },
        context: contextOf(s, { steps: 3, cost: 0.001206, tokens: 2040 }),
      },
    });
    expect(upstreamSince(h, from)).toEqual([]);

    // The run is the unit of budget: the next implicit call opens a fresh one.
    const next = await ask(s.openai);
    expect(next.response.status).toBe(200);
    const nextRun = next.response.headers.get('x-rungate-run-id')!;
    expect(nextRun).not.toBe(runId);
    expect(next.response.headers.get('x-rungate-budget-remaining-usd')).toBe('0.000897');
    expect(await runOf(h, nextRun)).toMatchObject({ status: 'running', totalCostUsd: '0.0006030000', stepCount: 1 });
  });
});

describe('hard_limit_tokens', () => {
  it('refuses with 402 the call whose input estimate plus max_tokens no longer fits, and ends the run with token_limit', async () => {
    const s = await scenario(h, { budget: { hard_limit_tokens: 2500 } });
    h.fake.setBehavior({ usage: USAGE });
    const params = { model: 'claude-3-5-haiku-latest', max_tokens: 1000, messages: USER };

    const first = await s.anthropic.messages.create(params).withResponse();
    const runId = first.response.headers.get('x-rungate-run-id')!;
    expect(first.response.headers.get('x-rungate-tokens-used')).toBe('1020');
    expect(first.response.headers.get('x-rungate-cost-usd')).toBe('0.004016');
    expect(Number(first.response.headers.get('x-rungate-cost-usd'))).toBeCloseTo(HAIKU_CALL, 12);
    expect(first.response.headers.get('x-rungate-budget-remaining-tokens')).toBe('1480');
    expect(first.response.headers.get('x-rungate-budget-remaining-usd')).toBeNull();
    const second = await s.anthropic.messages.create(params).withResponse();
    expect(second.response.headers.get('x-rungate-budget-remaining-tokens')).toBe('460');

    const from = h.fake.requests.length;
    const blocked = await refused(s.anthropic.messages.create(params));
    expect(blocked.status).toBe(402);
    expect(blocked.body).toEqual({
      error: {
        type: 'governance_block',
        code: 'budget_exceeded',
        message: "The run's token budget cannot pay for this call (hard_limit_tokens)",
        run_id: runId,
        details: {
          limit: 'hard_limit_tokens',
          limit_value: 2500,
          remaining_usd: null,
          remaining_tokens: 460,
          remaining_hourly_usd: null,
        },
        context: contextOf(s, { steps: 2, cost: 0.008032, tokens: 2040 }),
      },
    });
    expect(upstreamSince(h, from)).toEqual([]);
    await expectBlockedStep(h, runId, 'budget_blocked', 'budget_exceeded');
    expect(await runOf(h, runId)).toMatchObject({
      status: 'budget_exceeded',
      endedReason: 'token_limit',
      totalTokens: 2040,
      totalCostUsd: '0.0080320000',
    });

    const named = await refused(
      s.openai.chat.completions.create(
        { model: 'gpt-4o-mini', messages: USER, max_tokens: 1 },
        { headers: { 'x-rungate-run-id': runId } },
      ),
    );
    expect(named.status).toBe(402);
    expect(named.body.error).toMatchObject({
      code: 'budget_exceeded',
      run_id: runId,
      details: { ended_reason: 'token_limit' },
    });

    const next = await s.anthropic.messages.create(params).withResponse();
    expect(next.response.headers.get('x-rungate-run-id')).not.toBe(runId);
    expect(next.response.headers.get('x-rungate-budget-remaining-tokens')).toBe('1480');
  });
});

describe('max_cost_per_hour_usd', () => {
  it('caps an agent across runs over the last hour, without ending the run it refuses', async () => {
    const s = await scenario(h, { budget: { max_cost_per_hour_usd: 0.0015 } });
    h.fake.setBehavior({ usage: USAGE });
    const newRun = { 'x-rungate-new-run': 'true' };

    const first = await ask(s.openai, newRun);
    clock.advance(60_000);
    const second = await ask(s.openai, newRun);
    expect(second.response.headers.get('x-rungate-run-id')).not.toBe(first.response.headers.get('x-rungate-run-id'));
    // No run limit is set: no remaining-budget headers.
    expect(second.response.headers.get('x-rungate-budget-remaining-usd')).toBeNull();

    const from = h.fake.requests.length;
    const blocked = await refused(
      s.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: USER, max_tokens: 1000 }, { headers: newRun }),
    );
    expect(blocked.status).toBe(402);
    const runId = blocked.body.error.run_id as string;
    expect(blocked.body).toEqual({
      error: {
        type: 'governance_block',
        code: 'budget_exceeded',
        message: "The run's hourly cost budget cannot pay for this call (max_cost_per_hour_usd)",
        run_id: runId,
        details: {
          limit: 'max_cost_per_hour_usd',
          limit_value: 0.0015,
          remaining_usd: null,
          remaining_tokens: null,
          remaining_hourly_usd: 0.000294,
        },
        context: contextOf(s, { steps: 0 }),
      },
    });
    expect(upstreamSince(h, from)).toEqual([]);
    await expectBlockedStep(h, runId, 'budget_blocked', 'budget_exceeded');
    // An hourly cap is not the run's budget: the run goes on.
    expect(await runOf(h, runId)).toMatchObject({ status: 'running', endedReason: null });

    // Spend counts by the minute: an hour after the minute of the second call, the first call's
    // spend has left the window (the second's has not) and one more call fits.
    clock.advance(3_600_000);
    const later = await ask(s.openai, { 'x-rungate-run-id': runId });
    expect(later.response.status).toBe(200);
    const again = await refused(
      s.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: USER, max_tokens: 1000 }),
    );
    expect(again.status).toBe(402);
    expect(again.body.error.details).toMatchObject({ limit: 'max_cost_per_hour_usd', remaining_hourly_usd: 0.000294 });
  });
});

describe('output cap', () => {
  it('caps the output of a call without max_tokens to what the budget can pay for, forwards the cap and says so in a header', async () => {
    const s = await scenario(h, { budget: { hard_limit_usd: 0.001 } });
    const params = { model: 'gpt-4o-mini', messages: USER };
    // What the proxy estimates: one input token per 3 request bytes, priced at the dearest input rate.
    const inputEstimate = BigInt(Math.ceil(Buffer.byteLength(JSON.stringify(params)) / 3));
    // In 1e-16 USD: $0.001 left, input at $0.15/M, output at $0.60/M.
    const expectedCap = Number((10_000_000n * 1_000_000n - inputEstimate * 1_500_000_000n) / 6_000_000_000n);
    expect(expectedCap).toBeLessThan(4096);

    const from = h.fake.requests.length;
    const { data, response } = await s.openai.chat.completions.create(params).withResponse();
    expect(data.choices[0]!.message.content).toBe('Hello from the fake provider.');
    expect(response.headers.get('x-rungate-max-tokens-capped')).toBe(String(expectedCap));
    // The harness's openai key takes OpenAI's current field for the output limit.
    expect(upstreamSince(h, from)[0]!.body).toMatchObject({ model: 'gpt-4o-mini', max_completion_tokens: expectedCap });
    expect(response.headers.get('x-rungate-cost-usd')).toBe('0.000009');
    expect(response.headers.get('x-rungate-budget-remaining-usd')).toBe('0.000991');

    // A caller that sets max_tokens is never capped: it fits or it is refused.
    const own = await s.openai.chat.completions.create({ ...params, max_tokens: 50 }).withResponse();
    expect(own.response.headers.get('x-rungate-max-tokens-capped')).toBeNull();
    expect(upstreamSince(h, from)[1]!.body).toMatchObject({ max_tokens: 50 });
    expect(upstreamSince(h, from)[1]!.body).not.toHaveProperty('max_completion_tokens');
    const tooMuch = await refused(s.openai.chat.completions.create({ ...params, max_tokens: 5000 }));
    expect(tooMuch.status).toBe(402);
    expect(tooMuch.body.error).toMatchObject({ code: 'budget_exceeded', details: { limit: 'hard_limit_usd' } });
  });

  it('does not cap calls of a policy without budget limits', async () => {
    const s = await scenario(h);
    const from = h.fake.requests.length;
    const { response } = await s.openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: USER })
      .withResponse();
    expect(response.headers.get('x-rungate-max-tokens-capped')).toBeNull();
    expect(upstreamSince(h, from)[0]!.body).not.toHaveProperty('max_completion_tokens');
    expect(upstreamSince(h, from)[0]!.body).not.toHaveProperty('max_tokens');
    const [step] = await stepsOf(h, response.headers.get('x-rungate-run-id')!);
    expect(step).toMatchObject({ costUsd: '0.0000090000', inputTokens: 20, outputTokens: 10 });
  });
});
