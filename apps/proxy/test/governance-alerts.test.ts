import { events } from '@rungate/db';
import { ManualClock } from '@rungate/governance';
import { and, eq, sql } from 'drizzle-orm';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contextOf, refused, runOf, scenario, USER, upstreamSince } from './support/governance.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';

let h: ProxyHarness;
const clock = new ManualClock(Date.UTC(2026, 4, 4, 10, 0, 0));

beforeAll(async () => {
  h = await createProxyHarness({ clock });
  // 20 input and 1000 output tokens of gpt-4o-mini: $0.000603 a call.
  h.fake.setBehavior({ usage: { input: 20, output: 1000 } });
});
afterAll(() => h?.close());

const ask = (client: OpenAI, headers: Record<string, string> = {}) =>
  client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: USER, max_tokens: 1000 }, { headers })
    .withResponse();

const alertEvents = (runId: string) =>
  h.services.deps.db
    .select({ data: events.data })
    .from(events)
    .where(and(eq(events.type, 'run.alert_threshold'), sql`${events.data} -> 'run' ->> 'id' = ${runId}`));

/** Two calls: the first stays under $0.001, the second takes the run to $0.001206. */
async function crossThreshold(client: OpenAI) {
  const first = await ask(client);
  const runId = first.response.headers.get('x-rungate-run-id')!;
  expect(await runOf(h, runId)).toMatchObject({ alertThresholdExceeded: false, alertSentAt: null });
  clock.advance(1000);
  const crossing = await ask(client);
  expect(crossing.response.status).toBe(200);
  expect(crossing.response.headers.get('x-rungate-run-id')).toBe(runId);
  return { runId, crossedAt: clock.now() };
}

describe('alert thresholds', () => {
  it('continue_and_alert (the default): marks the run once, sends one alert, and lets the run go on', async () => {
    const s = await scenario(h, { budget: { alert_threshold_usd: 0.001 } });
    const { runId, crossedAt } = await crossThreshold(s.openai);
    expect(await runOf(h, runId)).toMatchObject({
      status: 'running',
      alertThresholdExceeded: true,
      alertSentAt: crossedAt,
      totalCostUsd: '0.0012060000',
    });
    const [alert] = await alertEvents(runId);
    expect(alert!.data).toMatchObject({
      thresholds: ['alert_threshold_usd'],
      action: 'continue_and_alert',
      run: { id: runId, alert_threshold_exceeded: true },
    });

    clock.advance(1000);
    const third = await ask(s.openai);
    expect(third.response.headers.get('x-rungate-run-id')).toBe(runId);
    expect(await runOf(h, runId)).toMatchObject({ status: 'running', alertSentAt: crossedAt, stepCount: 3 });
    expect(await alertEvents(runId)).toHaveLength(1);
    // New runs are not affected.
    expect((await ask(s.openai, { 'x-rungate-new-run': 'true' })).response.status).toBe(200);
  });

  it('counts alert_threshold_tokens the same way', async () => {
    const s = await scenario(h, { budget: { alert_threshold_tokens: 2000 } });
    const { runId } = await crossThreshold(s.openai);
    expect(await runOf(h, runId)).toMatchObject({ alertThresholdExceeded: true, totalTokens: 2040 });
    expect((await alertEvents(runId))[0]!.data).toMatchObject({ thresholds: ['alert_threshold_tokens'] });
  });

  it('stop_and_alert: ends the run that crossed (alert_threshold_stop); naming it gets 402 budget_alert_exceeded; the next call starts a new run', async () => {
    const s = await scenario(h, { budget: { alert_threshold_usd: 0.001, on_alert_threshold: 'stop_and_alert' } });
    const { runId, crossedAt } = await crossThreshold(s.openai);
    expect(await runOf(h, runId)).toMatchObject({
      status: 'completed',
      endedReason: 'alert_threshold_stop',
      alertThresholdExceeded: true,
      alertSentAt: crossedAt,
      endedAt: crossedAt,
    });
    expect((await alertEvents(runId))[0]!.data).toMatchObject({ action: 'stop_and_alert' });

    const from = h.fake.requests.length;
    const named = await refused(
      s.openai.chat.completions.create(
        { model: 'gpt-4o-mini', messages: USER, max_tokens: 10 },
        { headers: { 'x-rungate-run-id': runId } },
      ),
    );
    expect(named.status).toBe(402);
    expect(named.body).toEqual({
      error: {
        type: 'governance_block',
        code: 'budget_alert_exceeded',
        message: 'This run was stopped at its alert threshold; start a new run',
        run_id: runId,
        details: { ended_reason: 'alert_threshold_stop' },
        context: contextOf(s, { steps: 2, cost: 0.001206, tokens: 2040 }),
      },
    });
    expect(upstreamSince(h, from)).toEqual([]);

    const next = await ask(s.openai);
    expect(next.response.status).toBe(200);
    expect(next.response.headers.get('x-rungate-run-id')).not.toBe(runId);
  });

  it('continue_and_block_new: the run that crossed goes on, but the agent cannot start another run until it ends', async () => {
    const s = await scenario(h, {
      budget: { alert_threshold_usd: 0.001, on_alert_threshold: 'continue_and_block_new' },
    });
    const { runId } = await crossThreshold(s.openai);
    expect(await runOf(h, runId)).toMatchObject({ status: 'running', alertThresholdExceeded: true });
    expect((await alertEvents(runId))[0]!.data).toMatchObject({ action: 'continue_and_block_new' });

    const same = await ask(s.openai);
    expect(same.response.headers.get('x-rungate-run-id')).toBe(runId);

    const from = h.fake.requests.length;
    const expected = {
      error: {
        type: 'governance_block',
        code: 'budget_alert_exceeded',
        message: `Run ${runId} reached its alert threshold and the policy blocks new runs until it ends`,
        run_id: runId,
        details: { action: 'continue_and_block_new', alert_threshold_usd: 0.001, alert_threshold_tokens: null },
        context: contextOf(s, { steps: 3, cost: 0.001809, tokens: 3060 }),
      },
    };
    const newRun = await refused(
      s.openai.chat.completions.create(
        { model: 'gpt-4o-mini', messages: USER, max_tokens: 10 },
        { headers: { 'x-rungate-new-run': 'true' } },
      ),
    );
    expect(newRun.status).toBe(402);
    expect(newRun.body).toEqual(expected);
    const explicit = await refused(
      s.anthropic.messages.create(
        { model: 'claude-3-5-haiku-latest', max_tokens: 10, messages: USER },
        { headers: { 'x-rungate-run-id': crypto.randomUUID() } },
      ),
    );
    expect(explicit.status).toBe(402);
    expect(explicit.body).toEqual(expected);
    // The implicit run is not idly replaced after its time window either.
    clock.advance(3_600_000);
    const implicit = await refused(
      s.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: USER, max_tokens: 10 }),
    );
    expect(implicit.status).toBe(402);
    expect(upstreamSince(h, from)).toEqual([]);
    expect(await runOf(h, runId)).toMatchObject({ status: 'running', stepCount: 3 });

    // Once the alerted run ends, new runs are allowed again.
    await h.services.runs.complete(h.ctx, runId, {});
    const fresh = await ask(s.openai);
    expect(fresh.response.status).toBe(200);
    expect(fresh.response.headers.get('x-rungate-run-id')).not.toBe(runId);
  });
});
