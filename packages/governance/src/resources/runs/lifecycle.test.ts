import { type Database, events, runs, steps } from '@rungate/db';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { seedRun, useTestDatabase } from '../../../test/fixtures.ts';
import { AppError } from '../../errors.ts';
import {
  completeAllRuns,
  completeRun,
  endedStatus,
  governanceEvents,
  isExplicitCompletion,
  isForceStopCooldownActive,
  stopRun,
  unblockRun,
} from './lifecycle.ts';

let db: Database;
useTestDatabase((opened) => {
  db = opened.db;
});

const start = new Date('2026-06-01T12:00:00Z');
const now = new Date('2026-06-01T12:05:00Z');

/** A running run whose frozen policy has these outcome defaults, optionally with an outcome the agent already set. */
async function runWith(
  outcomeDefaults: Record<string, string | null> | null,
  values: Partial<typeof runs.$inferInsert> = {},
) {
  const ids = await seedRun(db);
  await db
    .update(runs)
    .set({ policySnapshot: { name: 'nightly', outcome_defaults: outcomeDefaults }, startedAt: start, ...values })
    .where(eq(runs.id, ids.runId));
  return ids;
}

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('outcome rules', () => {
  it('classifies ended reasons', () => {
    for (const reason of ['agent_signaled', 'agent_complete_all', 'admin_completed', 'my_custom_reason'])
      expect(isExplicitCompletion(reason)).toBe(true);
    for (const reason of [
      'cost_limit',
      'token_limit',
      'alert_threshold_stop',
      'idle_auto_complete',
      'idle_timeout',
      'new_run_requested',
      'admin_stopped',
    ]) {
      expect(isExplicitCompletion(reason)).toBe(false);
    }
    expect(endedStatus('cost_limit')).toBe('budget_exceeded');
    expect(endedStatus('token_limit')).toBe('budget_exceeded');
    expect(endedStatus('idle_timeout')).toBe('completed');
  });

  it.each([
    [
      'the body outcome wins over everything',
      { agent_signaled: 'failed' },
      null,
      { endedReason: 'agent_signaled', outcome: 'partial' as const },
      'partial',
    ],
    [
      'an outcome the agent set earlier beats the policy default (COALESCE)',
      { agent_signaled: 'failed' },
      'partial' as const,
      { endedReason: 'agent_signaled' },
      'partial',
    ],
    [
      'the policy default applies when the agent set none',
      { agent_signaled: 'failed' },
      null,
      { endedReason: 'agent_signaled' },
      'failed',
    ],
    ['explicit completion without a default is success', null, null, { endedReason: 'agent_signaled' }, 'success'],
    ['a custom reason counts as explicit', { agent_signaled: 'failed' }, null, { endedReason: 'shipped' }, 'success'],
    [
      'a null default is no default',
      { agent_complete_all: null },
      null,
      { endedReason: 'agent_complete_all' },
      'success',
    ],
    [
      'a system reason without a default leaves the outcome null',
      { agent_signaled: 'failed' },
      null,
      { endedReason: 'idle_timeout' },
      null,
    ],
    ['a system reason takes its default', { idle_timeout: 'failed' }, null, { endedReason: 'idle_timeout' }, 'failed'],
    [
      'an earlier agent outcome survives a system ending',
      { idle_timeout: 'failed' },
      'success' as const,
      { endedReason: 'idle_timeout' },
      'success',
    ],
  ])('%s', async (_name, defaults, earlier, options, expected) => {
    const { runId } = await runWith(defaults, { outcome: earlier });
    const result = await completeRun(db, runId, options, now);
    expect(result.outcome).toBe(expected);
    const [row] = await db.select().from(runs).where(eq(runs.id, runId));
    expect(row!.outcome).toBe(expected);
  });
});

describe('completeRun', () => {
  it('ends the run and summarises it, merging metadata', async () => {
    const { runId } = await runWith(null, {
      name: 'job-7',
      metadata: { a: 1, b: 1 },
      primaryModel: 'gpt-4o',
      stepCount: 4,
      totalCostUsd: '0.0123000000',
      inputTokens: 10,
      outputTokens: 20,
      cacheReadTokens: 30,
      cacheCreationTokens: 40,
      totalTokens: 100,
    });
    const summary = await completeRun(
      db,
      runId,
      { endedReason: 'agent_signaled', outcomeReason: 'all good', metadata: { b: 2, c: 3 } },
      now,
    );
    expect(summary).toEqual({
      id: runId,
      name: 'job-7',
      status: 'completed',
      ended_at: now.toISOString(),
      ended_reason: 'agent_signaled',
      completion_reason: 'explicit',
      outcome: 'success',
      outcome_reason: 'all good',
      step_count: 4,
      cost_usd: 0.0123,
      tokens_used: { input: 10, output: 20, cache_read: 30, cache_creation: 40, total: 100 },
      duration_ms: 300_000,
      policy_name: 'nightly',
      primary_model: 'gpt-4o',
      governance_events: [],
      limits_hit: false,
    });
    const [row] = await db.select().from(runs).where(eq(runs.id, runId));
    expect(row!.metadata).toEqual({ a: 1, b: 2, c: 3 });
    const [event] = await db.select().from(events).where(eq(events.orgId, row!.orgId));
    expect(event).toMatchObject({ type: 'run.completed', data: { run: { id: runId, status: 'completed' } } });
  });

  it('refuses a run that is not running (409) and an unknown run (404)', async () => {
    const { runId } = await runWith(null);
    await completeRun(db, runId, { endedReason: 'agent_signaled' }, now);
    const again = await rejection(completeRun(db, runId, { endedReason: 'agent_signaled' }, now));
    expect(again.code).toBe('conflict');
    expect(again.message).toBe('Run is not running (status: completed)');
    expect(
      (await rejection(completeRun(db, '00000000-0000-4000-8000-000000000000', { endedReason: 'x' }, now))).code,
    ).toBe('not_found');
  });

  it('ends a run on a hard limit as budget_exceeded, idle endings as idle_timeout', async () => {
    const limited = await runWith({ cost_limit: 'failed' });
    expect(await completeRun(db, limited.runId, { endedReason: 'cost_limit' }, now)).toMatchObject({
      status: 'budget_exceeded',
      outcome: 'failed',
      completion_reason: 'explicit',
    });
    const [event] = await db.select().from(events).where(eq(events.orgId, limited.orgId));
    expect(event!.type).toBe('run.budget_exceeded');
    const idle = await runWith(null);
    expect(await completeRun(db, idle.runId, { endedReason: 'idle_auto_complete' }, now)).toMatchObject({
      status: 'completed',
      completion_reason: 'idle_timeout',
      outcome: null,
    });
  });

  it('counts blocked steps by block code, most frequent first', async () => {
    const ids = await runWith(null, { hasGovernanceBlock: true });
    const base = {
      orgId: ids.orgId,
      runId: ids.runId,
      agentId: ids.agentId,
      type: 'llm_call' as const,
      provider: 'openai',
      model: 'gpt-4o',
    };
    const blocked = [
      ['policy_blocked', 'model_not_allowed'],
      ['budget_blocked', 'budget_exceeded'],
      ['budget_blocked', 'budget_exceeded'],
      ['policy_blocked', 'tool_blocked'],
      ['policy_blocked', 'model_not_allowed'],
      ['budget_blocked', 'budget_exceeded'],
    ] as const;
    await db
      .insert(steps)
      .values([
        { ...base, stepNumber: 1, status: 'success' },
        { ...base, stepNumber: 2, status: 'error', response: { error: { code: 'upstream' } } },
        ...blocked.map(([status, code], i) => ({ ...base, stepNumber: i + 3, status, response: { error: { code } } })),
        { ...base, stepNumber: 9, status: 'policy_blocked' as const, response: null },
      ]);
    const expected = [
      { type: 'budget_exceeded', count: 3 },
      { type: 'model_not_allowed', count: 2 },
      { type: 'policy_blocked', count: 1 },
      { type: 'tool_blocked', count: 1 },
    ];
    expect(await governanceEvents(db, ids.runId)).toEqual(expected);
    const summary = await completeRun(db, ids.runId, { endedReason: 'agent_signaled' }, now);
    expect(summary.governance_events).toEqual(expected);
    expect(summary.limits_hit).toBe(true);
  });
});

describe('completeAllRuns', () => {
  it('completes every running run of the agent and is idempotent', async () => {
    const ids = await runWith({ agent_complete_all: 'partial' });
    const [second] = await db
      .insert(runs)
      .values({ orgId: ids.orgId, agentId: ids.agentId, policyId: ids.policyId, creationMethod: 'explicit' })
      .returning();
    const [done] = await db
      .insert(runs)
      .values({
        orgId: ids.orgId,
        agentId: ids.agentId,
        policyId: ids.policyId,
        creationMethod: 'explicit',
        status: 'completed',
        endedReason: 'agent_signaled',
      })
      .returning();
    const other = await runWith(null);

    const result = await completeAllRuns(db, ids.agentId, now);
    expect(result.completed_count).toBe(2);
    expect(result.completed_run_ids.sort()).toEqual([ids.runId, second!.id].sort());
    const rows = await db.select().from(runs).where(eq(runs.agentId, ids.agentId));
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(ids.runId)).toMatchObject({
      status: 'completed',
      endedReason: 'agent_complete_all',
      outcome: 'partial',
    });
    expect(byId.get(second!.id)).toMatchObject({
      status: 'completed',
      endedReason: 'agent_complete_all',
      outcome: 'success',
    });
    expect(byId.get(done!.id)).toMatchObject({ endedReason: 'agent_signaled' });
    const [untouched] = await db.select().from(runs).where(eq(runs.id, other.runId));
    expect(untouched!.status).toBe('running');

    expect(await completeAllRuns(db, ids.agentId, now)).toEqual({ completed_count: 0, completed_run_ids: [] });
    const next = await db
      .insert(runs)
      .values({ orgId: ids.orgId, agentId: ids.agentId, policyId: ids.policyId, creationMethod: 'implicit' })
      .returning();
    expect(await completeAllRuns(db, ids.agentId, now, 'new_run_requested')).toEqual({
      completed_count: 1,
      completed_run_ids: [next[0]!.id],
    });
    const [reasoned] = await db.select().from(runs).where(eq(runs.id, next[0]!.id));
    expect(reasoned).toMatchObject({ endedReason: 'new_run_requested', outcome: null });
  });
});

describe('force stop', () => {
  it('stops, blocks for the cooldown, and unblocks per agent+policy', async () => {
    const ids = await runWith({ admin_stopped: 'failed' });
    const row = await stopRun(db, ids.runId, now);
    expect(row).toMatchObject({
      status: 'force_stopped',
      endedReason: 'admin_stopped',
      outcome: 'failed',
      forceStoppedAt: now,
      endedAt: now,
      forceStopLiftedAt: null,
    });
    expect((await rejection(stopRun(db, ids.runId, now))).code).toBe('validation_error');

    const minute = (n: number) => new Date(now.getTime() + n * 60_000);
    expect(await isForceStopCooldownActive(db, ids.agentId, ids.policyId, 60, minute(59))).toBe(true);
    expect(await isForceStopCooldownActive(db, ids.agentId, ids.policyId, 60, minute(60))).toBe(false);
    expect(await isForceStopCooldownActive(db, ids.agentId, ids.policyId, 0, minute(1))).toBe(false);
    expect(await isForceStopCooldownActive(db, ids.agentId, null, 60, minute(1))).toBe(false);

    const lifted = await unblockRun(db, ids.runId, minute(2));
    expect(lifted.lifted_at).toBe(minute(2).toISOString());
    expect(await isForceStopCooldownActive(db, ids.agentId, ids.policyId, 60, minute(3))).toBe(false);
    expect((await unblockRun(db, ids.runId, minute(4))).lifted_at).toBe(minute(2).toISOString());

    const running = await runWith(null);
    const notStopped = await rejection(unblockRun(db, running.runId, now));
    expect(notStopped.code).toBe('validation_error');
    expect(notStopped.message).toBe('Run is not force-stopped');
    expect((await rejection(unblockRun(db, '00000000-0000-4000-8000-000000000000', now))).code).toBe('not_found');
  });
});
