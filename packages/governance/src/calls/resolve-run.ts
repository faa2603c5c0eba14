import { type Database, type Executor, runs } from '@rungate/db';
import { and, desc, eq, type Placeholder, sql } from 'drizzle-orm';
import { recordEvent } from '../events/outbox.ts';
import type { PolicyView } from '../resources/policies/presenter.ts';
import { completeAllRuns, completeRun, isForceStopCooldownActive, type RunRow } from '../resources/runs/lifecycle.ts';
import { toRun } from '../resources/runs/presenter.ts';
import type { RunControls } from './controls.ts';
import { type Blocked, block } from './rules/decision.ts';

export type RunResolution =
  | { ok: true; run: RunRow; created: boolean }
  | { ok: false; blocked: Blocked; run: RunRow | null }
  | { ok: false; conflict: string; run: RunRow }
  | { ok: false; foreign: true };

interface Caller {
  orgId: string;
  agentId: string;
}

/** The agent's latest running implicit run under a policy: the run implicit grouping may join. */
const implicitRunQuery = (executor: Executor, agentId: Placeholder | string, policyId: Placeholder | string) =>
  executor
    .select()
    .from(runs)
    .where(
      and(
        eq(runs.agentId, agentId),
        eq(runs.policyId, policyId),
        eq(runs.status, 'running'),
        eq(runs.creationMethod, 'implicit'),
      ),
    )
    .orderBy(desc(runs.lastActivityAt))
    .limit(1);

/**
 * The reads every call makes, built once per database: drizzle would otherwise rebuild their SQL
 * on each call (most of their CPU cost), and on `pg` they are prepared once per connection.
 */
function prepareHotReads(db: Database) {
  return {
    runById: db
      .select()
      .from(runs)
      .where(eq(runs.id, sql.placeholder('id')))
      .prepare('rungate_run_by_id'),
    implicitRun: implicitRunQuery(db, sql.placeholder('agentId'), sql.placeholder('policyId')).prepare(
      'rungate_implicit_run',
    ),
  };
}

const hotReadsByDb = new WeakMap<Database, ReturnType<typeof prepareHotReads>>();

function hotReads(db: Database) {
  let reads = hotReadsByDb.get(db);
  if (!reads) {
    reads = prepareHotReads(db);
    hotReadsByDb.set(db, reads);
  }
  return reads;
}

interface NewRun {
  executor: Executor;
  caller: Caller;
  policy: PolicyView;
  controls: RunControls;
  method: 'explicit' | 'implicit';
  now: Date;
  /** Creates the run under this id (`x-rungate-run-id`); by default the database picks one. */
  id?: string;
}

/** Inserts a run with the policy frozen on it; call inside a transaction so its event commits with it. */
async function createRun({ executor, caller, policy, controls, method, now, id }: NewRun): Promise<RunRow | null> {
  const [row] = await executor
    .insert(runs)
    .values({
      ...(id ? { id } : {}),
      orgId: caller.orgId,
      agentId: caller.agentId,
      policyId: policy.id,
      name: controls.runName,
      creationMethod: method,
      budget: {
        alert_threshold_tokens: policy.budget.alert_threshold_tokens,
        alert_threshold_usd: policy.budget.alert_threshold_usd,
        hard_limit_tokens: policy.budget.hard_limit_tokens,
        hard_limit_usd: policy.budget.hard_limit_usd,
      },
      policySnapshot: { ...policy },
      metadata: controls.runMetadata ?? {},
      lastActivityAt: now,
      startedAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing()
    .returning();
  if (row)
    await recordEvent(
      executor,
      { orgId: caller.orgId, agentId: row.agentId, type: 'run.started', data: { run: toRun(row) } },
      now,
    );
  return row ?? null;
}

function explicitRunState(run: RunRow): RunResolution {
  switch (run.status) {
    case 'running':
      return { ok: true, run, created: false };
    case 'budget_exceeded':
      return {
        ok: false,
        run,
        blocked: block('budget_exceeded', 'This run ended because it reached its budget; start a new run', {
          ended_reason: run.endedReason,
        }),
      };
    case 'force_stopped':
      return {
        ok: false,
        run,
        blocked: block('run_force_stopped', 'This run was stopped by an operator', {
          stopped_at: run.forceStoppedAt?.toISOString() ?? null,
        }),
      };
    default:
      // Like a hard limit, a stop at the alert threshold is a budget refusal, not a finished run.
      if (run.endedReason === 'alert_threshold_stop') {
        return {
          ok: false,
          run,
          blocked: block('budget_alert_exceeded', 'This run was stopped at its alert threshold; start a new run', {
            ended_reason: run.endedReason,
          }),
        };
      }
      return { ok: false, run, conflict: `Run ${run.id} has ended (status: ${run.status}); start a new run` };
  }
}

/** An implicit run takes a fresh id, so its insert always writes the row. */
async function createImplicitRun(options: Omit<NewRun, 'method' | 'id'>): Promise<RunRow> {
  const row = await createRun({ ...options, method: 'implicit' });
  if (!row) throw new Error('The new run was not written');
  return row;
}

/**
 * `on_alert_threshold: continue_and_block_new`: while a running run of this agent and policy is
 * past its alert threshold, that run goes on but no new run may start (402); ending it (agent,
 * operator or idle timeout) lifts the block.
 */
async function blockedByAlertedRun(db: Database, caller: Caller, policy: PolicyView): Promise<RunResolution | null> {
  if (policy.budget.on_alert_threshold !== 'continue_and_block_new') return null;
  const [alerted] = await db
    .select()
    .from(runs)
    .where(
      and(
        eq(runs.agentId, caller.agentId),
        eq(runs.policyId, policy.id),
        eq(runs.status, 'running'),
        eq(runs.alertThresholdExceeded, true),
      ),
    )
    .limit(1);
  if (!alerted) return null;
  return {
    ok: false,
    run: alerted,
    blocked: block(
      'budget_alert_exceeded',
      `Run ${alerted.id} reached its alert threshold and the policy blocks new runs until it ends`,
      {
        action: 'continue_and_block_new',
        alert_threshold_usd: policy.budget.alert_threshold_usd ?? null,
        alert_threshold_tokens: policy.budget.alert_threshold_tokens ?? null,
      },
    ),
  };
}

/**
 * Which run a call belongs to:
 * - `x-rungate-run-id`: that run (created under that id on first use); another agent's is refused;
 * - `x-rungate-new-run`: the agent's running runs are completed, a fresh one starts;
 * - otherwise implicit grouping: the agent's running implicit run under this policy while it has
 *   been active within `time_window_seconds`; an older one is completed (`idle_auto_complete`) and
 *   a new run starts, unless a recent force-stop of this agent+policy is still cooling down.
 */
export async function resolveRun(
  db: Database,
  caller: Caller,
  policy: PolicyView,
  controls: RunControls,
  now: Date,
): Promise<RunResolution> {
  const runId = controls.runId;
  if (runId) {
    const [existing] = await hotReads(db).runById.execute({ id: runId });
    if (existing) {
      if (existing.orgId !== caller.orgId || existing.agentId !== caller.agentId) return { ok: false, foreign: true };
      return explicitRunState(existing);
    }
    const barred = await blockedByAlertedRun(db, caller, policy);
    if (barred) return barred;
    const created = await db.transaction((tx) =>
      createRun({ executor: tx, caller, policy, controls, method: 'explicit', now, id: runId }),
    );
    // Null: another call created this id at the same moment; judge that run like any existing one.
    if (created) return { ok: true, run: created, created: true };
    return resolveRun(db, caller, policy, controls, now);
  }

  if (controls.newRun) {
    const barred = await blockedByAlertedRun(db, caller, policy);
    if (barred) return barred;
    const run = await db.transaction(async (tx) => {
      await completeAllRuns(tx, caller.agentId, now, 'new_run_requested');
      return createImplicitRun({ executor: tx, caller, policy, controls, now });
    });
    return { ok: true, run, created: true };
  }

  const windowMs = policy.implicit_run_grouping.time_window_seconds * 1000;
  const [current] = await hotReads(db).implicitRun.execute({ agentId: caller.agentId, policyId: policy.id });
  if (current && now.getTime() - current.lastActivityAt.getTime() <= windowMs)
    return { ok: true, run: current, created: false };
  const barred = await blockedByAlertedRun(db, caller, policy);
  if (barred) return barred;

  if (
    await isForceStopCooldownActive(
      db,
      caller.agentId,
      policy.id,
      policy.implicit_run_grouping.force_stop_cooldown_minutes,
      now,
    )
  ) {
    return {
      ok: false,
      run: null,
      blocked: block(
        'run_blocked_after_force_stop',
        'A run of this agent under this policy was force-stopped recently; send x-rungate-new-run: true to start a new run',
        {
          cooldown_minutes: policy.implicit_run_grouping.force_stop_cooldown_minutes,
        },
      ),
    };
  }
  return db.transaction(async (tx) => {
    // One opener at a time per agent+policy, so concurrent first calls share one run.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${caller.agentId}:${policy.id}`}, 0))`);
    const [raced] = await implicitRunQuery(tx, caller.agentId, policy.id);
    if (raced && now.getTime() - raced.lastActivityAt.getTime() <= windowMs)
      return { ok: true as const, run: raced, created: false };
    if (raced) await completeRun(tx, raced.id, { endedReason: 'idle_auto_complete' }, now);
    const run = await createImplicitRun({ executor: tx, caller, policy, controls, now });
    return { ok: true as const, run, created: true };
  });
}
