import type { Outcome, RunCompletionResponse } from '@rungate/contracts';
import { type Executor, runs, steps } from '@rungate/db';
import { and, desc, eq, gt, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import { AppError, conflict, notFound } from '../../errors.ts';
import { recordEvent } from '../../events/outbox.ts';
import { toRun, toRunCompletion } from './presenter.ts';

/**
 * The run lifecycle shared by the admin API (/api/runs) and the agent API (/v1/runs): plain
 * functions over an executor and a time, no auth. Callers check ownership first and should pass
 * a transaction, so the run change and its outbox event commit together.
 */

export type RunRow = typeof runs.$inferSelect;
export type RunCompletion = RunCompletionResponse['data'];

export interface CompleteRunOptions {
  /** A key of `outcome_defaults` or a custom reason, stored as given. */
  endedReason: string;
  outcome?: Outcome | undefined;
  outcomeReason?: string | undefined;
  /** Merged into the run's metadata (top-level keys replaced). */
  metadata?: Record<string, unknown> | undefined;
}

/** Ended reasons the system (not the agent or an operator) chose; they get no implicit `success`. */
const SYSTEM_ENDED_REASONS = new Set([
  'cost_limit',
  'token_limit',
  'alert_threshold_stop',
  'idle_auto_complete',
  'idle_timeout',
  'new_run_requested',
  'admin_stopped',
]);

/** The agent's or an operator's own decision to end the run: custom reasons included. */
export const isExplicitCompletion = (endedReason: string): boolean => !SYSTEM_ENDED_REASONS.has(endedReason);

/** A hard budget limit ends the run as `budget_exceeded`; every other completion is `completed`. */
export const endedStatus = (endedReason: string): 'completed' | 'budget_exceeded' =>
  endedReason === 'cost_limit' || endedReason === 'token_limit' ? 'budget_exceeded' : 'completed';

const completionReasonFor = (endedReason: string): 'explicit' | 'idle_timeout' =>
  endedReason === 'idle_timeout' || endedReason === 'idle_auto_complete' ? 'idle_timeout' : 'explicit';

/**
 * COALESCE(given outcome, outcome the agent already set, outcome_defaults[reason] of the frozen
 * policy, success for an explicit completion): an outcome the agent chose is never overwritten.
 */
function outcomeExpression(endedReason: string, given: Outcome | undefined): SQL {
  const fallback = isExplicitCompletion(endedReason) ? 'success' : null;
  return sql`coalesce(${given ?? null}::text, ${runs.outcome}, ${runs.policySnapshot} -> 'outcome_defaults' ->> ${endedReason}::text, ${fallback}::text)`;
}

/** Ends every running run matching `where`; returns the ended rows. */
async function endRunning(executor: Executor, where: SQL, options: CompleteRunOptions, now: Date): Promise<RunRow[]> {
  const status = endedStatus(options.endedReason);
  const ended = await executor
    .update(runs)
    .set({
      status,
      endedReason: options.endedReason,
      completionReason: completionReasonFor(options.endedReason),
      outcome: outcomeExpression(options.endedReason, options.outcome),
      ...(options.outcomeReason === undefined ? {} : { outcomeReason: options.outcomeReason }),
      ...(options.metadata === undefined
        ? {}
        : { metadata: sql`${runs.metadata} || ${JSON.stringify(options.metadata)}::jsonb` }),
      endedAt: now,
      updatedAt: now,
    })
    .where(and(where, eq(runs.status, 'running')))
    .returning();
  for (const row of ended) {
    await recordEvent(
      executor,
      {
        orgId: row.orgId,
        agentId: row.agentId,
        type: status === 'budget_exceeded' ? 'run.budget_exceeded' : 'run.completed',
        data: { run: toRun(row) },
      },
      now,
    );
  }
  return ended;
}

/** Blocked steps grouped by the block code the proxy stores in `response.error.code`, most frequent first. */
export async function governanceEvents(executor: Executor, runId: string): Promise<{ type: string; count: number }[]> {
  const type = sql<string>`coalesce(${steps.response} -> 'error' ->> 'code', ${steps.status})`;
  const count = sql<number>`count(*)::int`;
  return executor
    .select({ type, count })
    .from(steps)
    .where(and(eq(steps.runId, runId), inArray(steps.status, ['policy_blocked', 'budget_blocked'])))
    .groupBy(type)
    .orderBy(desc(count), type);
}

async function statusOf(executor: Executor, runId: string): Promise<string> {
  const [row] = await executor.select({ status: runs.status }).from(runs).where(eq(runs.id, runId));
  if (!row) throw notFound('Run');
  return row.status;
}

/** Completes a running run; 404 when it does not exist, 409 when it has already ended. */
export async function completeRun(
  executor: Executor,
  runId: string,
  options: CompleteRunOptions,
  now: Date,
): Promise<RunCompletion> {
  const [row] = await endRunning(executor, eq(runs.id, runId), options, now);
  if (!row) throw conflict(`Run is not running (status: ${await statusOf(executor, runId)})`);
  return toRunCompletion(row, await governanceEvents(executor, runId));
}

/** Completes every running run of an agent; idempotent (0 when none is running). */
export async function completeAllRuns(
  executor: Executor,
  agentId: string,
  now: Date,
  endedReason = 'agent_complete_all',
): Promise<{ completed_count: number; completed_run_ids: string[] }> {
  const ended = await endRunning(executor, eq(runs.agentId, agentId), { endedReason }, now);
  return { completed_count: ended.length, completed_run_ids: ended.map((row) => row.id) };
}

/** Force stop: ends a running run as `force_stopped` and starts the implicit-run cooldown for its agent+policy. */
export async function stopRun(executor: Executor, runId: string, now: Date): Promise<RunRow> {
  const endedReason = 'admin_stopped';
  const [row] = await executor
    .update(runs)
    .set({
      status: 'force_stopped',
      endedReason,
      completionReason: 'explicit',
      outcome: outcomeExpression(endedReason, undefined),
      forceStoppedAt: now,
      endedAt: now,
      updatedAt: now,
    })
    .where(and(eq(runs.id, runId), eq(runs.status, 'running')))
    .returning();
  if (!row)
    throw new AppError(
      'validation_error',
      `Only a running run can be stopped (status: ${await statusOf(executor, runId)})`,
    );
  await recordEvent(
    executor,
    { orgId: row.orgId, agentId: row.agentId, type: 'run.force_stopped', data: { run: toRun(row) } },
    now,
  );
  return row;
}

/**
 * Lifts the force-stop block. The block is per agent+policy, so every still-blocking force-stop
 * of that pair is lifted, not only this run's; lifting again answers the first lift time.
 */
export async function unblockRun(
  executor: Executor,
  runId: string,
  now: Date,
): Promise<{ message: string; lifted_at: string }> {
  const [run] = await executor.select().from(runs).where(eq(runs.id, runId));
  if (!run) throw notFound('Run');
  if (run.status !== 'force_stopped') throw new AppError('validation_error', 'Run is not force-stopped');
  const liftedAt = run.forceStopLiftedAt ?? now;
  await executor
    .update(runs)
    .set({ forceStopLiftedAt: now, updatedAt: now })
    .where(
      and(
        eq(runs.agentId, run.agentId),
        run.policyId === null ? isNull(runs.policyId) : eq(runs.policyId, run.policyId),
        eq(runs.status, 'force_stopped'),
        isNull(runs.forceStopLiftedAt),
      ),
    );
  return {
    message: 'Force-stop block lifted; implicit runs for this agent and policy are allowed again',
    lifted_at: liftedAt.toISOString(),
  };
}

/**
 * True while a force-stop of this agent+policy, not lifted, is younger than the cooldown:
 * the proxy then refuses to open an implicit run. A cooldown of 0 disables the block.
 */
export async function isForceStopCooldownActive(
  executor: Executor,
  agentId: string,
  policyId: string | null,
  cooldownMinutes: number,
  now: Date,
): Promise<boolean> {
  if (cooldownMinutes <= 0) return false;
  const since = new Date(now.getTime() - cooldownMinutes * 60_000);
  const [row] = await executor
    .select({ id: runs.id })
    .from(runs)
    .where(
      and(
        eq(runs.agentId, agentId),
        policyId === null ? isNull(runs.policyId) : eq(runs.policyId, policyId),
        eq(runs.status, 'force_stopped'),
        isNull(runs.forceStopLiftedAt),
        gt(runs.forceStoppedAt, since),
      ),
    )
    .limit(1);
  return row !== undefined;
}
