import type { Database } from '@rungate/db';
import { sql } from 'drizzle-orm';
import { naturalBatches, type Waiting } from '../common/natural-batches.ts';
import { param, preparedStatement } from '../common/prepared-statement.ts';
import { asyncCommit, type BudgetLimits, heldRunAndHold, type Hold, type RunState, type RunStateRow, toRunState } from './reserve-budget.ts';

export interface RunHoldRequest {
  orgId: string;
  agentId: string;
  policyId: string;
  /** The run the call names, or the agent's implicit run under the policy, active since then. */
  run: { runId: string } | { activeSince: Date };
  limits: BudgetLimits;
  hold: Hold;
  now: Date;
  ttlMs: number;
}

export type RunHold = { run: RunState; reservationId: string } | null;

const holdOnNamedRun = preparedStatement<RunStateRow>(
  'rungate_hold_on_named_run',
  heldRunAndHold(sql`id = ${param('runId')}::uuid AND org_id = ${param('orgId')}::uuid AND agent_id = ${param('agentId')}::uuid AND policy_id = ${param('policyId')}::uuid`),
);

const holdOnImplicitRun = preparedStatement<RunStateRow>(
  'rungate_hold_on_implicit_run',
  heldRunAndHold(sql`id = (
      SELECT id FROM runs
      WHERE agent_id = ${param('agentId')}::uuid AND policy_id = ${param('policyId')}::uuid AND status = 'running' AND creation_method = 'implicit'
      ORDER BY last_activity_at DESC LIMIT 1
    ) AND last_activity_at >= ${param('activeSince')}`),
);

type BatchRow = Omit<RunStateRow, 'id' | 'reservation_id'> & { ord: number; deferred: boolean; id: string | null; reservation_id: string | null };

/**
 * The one-statement hold over a JSON array of requests. Each request finds its run as the
 * single statements do; a run targeted twice takes only its first request here (an UPDATE
 * moves a row once per statement) and the others are `deferred` to the next batch. The
 * conditions sit in the UPDATE's WHERE, which PostgreSQL re-checks on the latest version of a
 * row it had to wait for, so holds from any process still serialize per run.
 */
const holdOnRunsStatement = preparedStatement<BatchRow>('rungate_hold_on_runs', sql`
  WITH input AS (
    SELECT * FROM jsonb_to_recordset(${param('batch')}::jsonb) AS i(
      ord int, org_id uuid, agent_id uuid, policy_id uuid, run_id uuid, active_since timestamptz,
      hard_limit_usd numeric, hard_limit_tokens bigint, amount_usd numeric, tokens bigint, expires_at timestamptz, now timestamptz)
  ), target AS (
    SELECT i.*, coalesce(i.run_id, (
      SELECT id FROM runs
      WHERE agent_id = i.agent_id AND policy_id = i.policy_id AND status = 'running' AND creation_method = 'implicit'
      ORDER BY last_activity_at DESC LIMIT 1
    )) AS target_id
    FROM input i
  ), first AS (
    SELECT DISTINCT ON (target_id) * FROM target WHERE target_id IS NOT NULL ORDER BY target_id, ord
  ), r AS (
    UPDATE runs SET reserved_usd = runs.reserved_usd + f.amount_usd, reserved_tokens = runs.reserved_tokens + f.tokens
    FROM first f
    WHERE runs.id = f.target_id AND runs.status = 'running'
      AND runs.org_id = f.org_id AND runs.agent_id = f.agent_id AND runs.policy_id = f.policy_id
      AND (f.active_since IS NULL OR runs.last_activity_at >= f.active_since)
      AND (f.hard_limit_usd IS NULL OR runs.total_cost_usd + runs.reserved_usd + f.amount_usd <= f.hard_limit_usd)
      AND (f.hard_limit_tokens IS NULL OR runs.total_tokens + runs.reserved_tokens + f.tokens <= f.hard_limit_tokens)
    RETURNING runs.id, runs.org_id, runs.agent_id, runs.policy_id, runs.status, runs.step_count, runs.total_cost_usd,
      runs.total_tokens, runs.reserved_usd, runs.reserved_tokens, f.ord, f.amount_usd AS hold_usd, f.tokens AS hold_tokens,
      f.expires_at, f.now
  ), commit_mode AS (${asyncCommit}),
  hold AS (
    INSERT INTO budget_reservations (org_id, run_id, agent_id, amount_usd, tokens, expires_at, created_at)
    SELECT r.org_id, r.id, r.agent_id, r.hold_usd, r.hold_tokens, r.expires_at, r.now FROM r, commit_mode
    RETURNING id, run_id
  )
  SELECT t.ord, (t.target_id IS NOT NULL AND f.ord IS NULL) AS deferred, r.id, r.org_id, r.agent_id, r.policy_id, r.status,
    r.step_count, r.total_cost_usd, r.total_tokens, r.reserved_usd, r.reserved_tokens, hold.id AS reservation_id
  FROM target t LEFT JOIN first f ON f.ord = t.ord LEFT JOIN r ON r.ord = t.ord LEFT JOIN hold ON hold.run_id = r.id`);


const values = (request: RunHoldRequest) => ({
  orgId: request.orgId,
  agentId: request.agentId,
  policyId: request.policyId,
  hardLimitUsd: request.limits.hardLimitUsd,
  hardLimitTokens: request.limits.hardLimitTokens,
  amountUsd: request.hold.amountUsd,
  tokens: request.hold.tokens,
  expiresAt: new Date(request.now.getTime() + request.ttlMs),
  now: request.now,
});

async function holdOne(db: Database, request: RunHoldRequest): Promise<RunHold> {
  const [row] =
    'runId' in request.run
      ? await holdOnNamedRun(db, { ...values(request), runId: request.run.runId })
      : await holdOnImplicitRun(db, { ...values(request), activeSince: request.run.activeSince });
  return row ? { run: toRunState(row), reservationId: row.reservation_id } : null;
}

/**
 * Finds a call's run and takes its hold in one statement: the run named by the call, or the
 * agent's implicit run under the policy while it is still active. Only for hard limits (an
 * hourly cap needs the locked path) and only for a running run under `policyId`; null when any
 * of that does not hold or the hold does not fit, and the caller takes the ordinary path.
 *
 * Concurrent calls share statements (`naturalBatches`): under load the holds of many calls
 * cost one round trip. A batch that fails (a deadlock with another process's batch) is retried
 * hold by hold.
 */
export function createRunHolds(db: Database): (request: RunHoldRequest) => Promise<RunHold> {
  const hold: (request: RunHoldRequest) => Promise<RunHold> = naturalBatches<RunHoldRequest, RunHold>(async (batch) => {
    if (batch.length === 1) {
      const [only] = batch as [Waiting<RunHoldRequest, RunHold>];
      await holdOne(db, only.item).then(only.resolve, only.reject);
      return;
    }
    const items = batch.map(({ item }, ord) => {
      const v = values(item);
      return {
        ord,
        org_id: v.orgId,
        agent_id: v.agentId,
        policy_id: v.policyId,
        run_id: 'runId' in item.run ? item.run.runId : null,
        active_since: 'activeSince' in item.run ? item.run.activeSince.toISOString() : null,
        hard_limit_usd: v.hardLimitUsd,
        hard_limit_tokens: v.hardLimitTokens,
        amount_usd: v.amountUsd,
        tokens: v.tokens,
        expires_at: v.expiresAt.toISOString(),
        now: v.now.toISOString(),
      };
    });
    let rows: BatchRow[];
    try {
      rows = await holdOnRunsStatement(db, { batch: JSON.stringify(items) });
    } catch {
      await Promise.all(batch.map((waiting) => holdOne(db, waiting.item).then(waiting.resolve, waiting.reject)));
      return;
    }
    for (const row of rows) {
      const waiting = batch[row.ord]!;
      if (row.deferred) hold(waiting.item).then(waiting.resolve, waiting.reject);
      else if (row.id && row.reservation_id) waiting.resolve({ run: toRunState({ ...row, id: row.id, reservation_id: row.reservation_id }), reservationId: row.reservation_id });
      else waiting.resolve(null);
    }
  });
  return hold;
}
