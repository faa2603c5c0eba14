import { randomUUID } from 'node:crypto';
import type { Database } from '@rungate/db';
import { sql } from 'drizzle-orm';
import { naturalBatches, type Waiting } from '../batching/natural-batches.ts';
import { param, preparedStatement } from '../batching/prepared-statement.ts';
import {
  asyncCommit,
  type BudgetLimits,
  type Hold,
  heldRunAndHold,
  type RunState,
  type RunStateRow,
  toRunState,
} from './reserve-budget.ts';

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
  heldRunAndHold(
    sql`id = ${param('runId')}::uuid AND org_id = ${param('orgId')}::uuid AND agent_id = ${param('agentId')}::uuid AND policy_id = ${param('policyId')}::uuid`,
  ),
);

const holdOnImplicitRun = preparedStatement<RunStateRow>(
  'rungate_hold_on_implicit_run',
  heldRunAndHold(sql`id = (
      SELECT id FROM runs
      WHERE agent_id = ${param('agentId')}::uuid AND policy_id = ${param('policyId')}::uuid AND status = 'running' AND creation_method = 'implicit'
      ORDER BY last_activity_at DESC LIMIT 1
    ) AND last_activity_at >= ${param('activeSince')}`),
);

type BatchRow = RunStateRow & { ord: number };

/**
 * The one-statement hold over a JSON array of requests. Each request finds its run as the
 * single statements do. The runs are locked first, in id order (so batches of several
 * processes queue for them instead of deadlocking), and read at their latest version; the
 * requests of each run then count in batch order, and a request is held when everything held
 * before it on the run, in the run and in this batch, still leaves room for it. Every run moves
 * once, by the sum of its holds, so many calls on one run share one round trip. A request that
 * no longer fits comes back empty, like one on no running run, and takes the ordinary path.
 */
const holdOnRunsStatement = preparedStatement<BatchRow>(
  'rungate_hold_on_runs',
  sql`
  WITH input AS (
    SELECT * FROM jsonb_to_recordset(${param('batch')}::jsonb) AS i(
      ord int, reservation_id uuid, org_id uuid, agent_id uuid, policy_id uuid, run_id uuid, active_since timestamptz,
      hard_limit_usd numeric, hard_limit_tokens bigint, amount_usd numeric, tokens bigint, expires_at timestamptz, now timestamptz)
  ), target AS (
    SELECT i.*, coalesce(i.run_id, (
      SELECT id FROM runs
      WHERE agent_id = i.agent_id AND policy_id = i.policy_id AND status = 'running' AND creation_method = 'implicit'
      ORDER BY last_activity_at DESC LIMIT 1
    )) AS target_id
    FROM input i
  ), locked AS (
    SELECT id, org_id, agent_id, policy_id, last_activity_at, total_cost_usd, total_tokens, reserved_usd, reserved_tokens
    FROM runs WHERE id IN (SELECT target_id FROM target) AND status = 'running'
    ORDER BY id FOR UPDATE
  ), counted AS (
    SELECT t.*, l.total_cost_usd + l.reserved_usd + sum(t.amount_usd) OVER queue AS usd_after,
      l.total_tokens + l.reserved_tokens + sum(t.tokens) OVER queue AS tokens_after
    FROM target t JOIN locked l ON l.id = t.target_id
      AND l.org_id = t.org_id AND l.agent_id = t.agent_id AND l.policy_id = t.policy_id
      AND (t.active_since IS NULL OR l.last_activity_at >= t.active_since)
    WINDOW queue AS (PARTITION BY t.target_id ORDER BY t.ord)
  ), held AS (
    SELECT * FROM counted
    WHERE (hard_limit_usd IS NULL OR usd_after <= hard_limit_usd) AND (hard_limit_tokens IS NULL OR tokens_after <= hard_limit_tokens)
  ), r AS (
    UPDATE runs SET reserved_usd = runs.reserved_usd + h.usd, reserved_tokens = runs.reserved_tokens + h.tokens
    FROM (SELECT target_id, sum(amount_usd) AS usd, sum(tokens) AS tokens FROM held GROUP BY target_id) h
    WHERE runs.id = h.target_id
    RETURNING runs.id, runs.org_id, runs.agent_id, runs.policy_id, runs.status, runs.step_count, runs.total_cost_usd,
      runs.total_tokens, runs.reserved_usd, runs.reserved_tokens
  ), commit_mode AS (${asyncCommit}),
  hold AS (
    INSERT INTO budget_reservations (id, org_id, run_id, agent_id, amount_usd, tokens, expires_at, created_at)
    SELECT h.reservation_id, h.org_id, h.target_id, h.agent_id, h.amount_usd, h.tokens, h.expires_at, h.now FROM held h, commit_mode
    RETURNING id
  )
  SELECT h.ord, r.*, hold.id AS reservation_id
  FROM held h JOIN r ON r.id = h.target_id JOIN hold ON hold.id = h.reservation_id`,
);

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
 * Concurrent calls share statements (`naturalBatches`): under load the holds of many calls,
 * on many runs or on one, cost one round trip. A batch that fails is retried hold by hold.
 */
export function createRunHolds(db: Database): (request: RunHoldRequest) => Promise<RunHold> {
  return naturalBatches<RunHoldRequest, RunHold>(async (batch) => {
    if (batch.length === 1) {
      const [only] = batch as [Waiting<RunHoldRequest, RunHold>];
      await holdOne(db, only.item).then(only.resolve, only.reject);
      return;
    }
    const items = batch.map(({ item }, ord) => {
      const v = values(item);
      return {
        ord,
        reservation_id: randomUUID(),
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
    const held = new Map(rows.map((row) => [row.ord, row]));
    batch.forEach((waiting, ord) => {
      const row = held.get(ord);
      waiting.resolve(row ? { run: toRunState(row), reservationId: row.reservation_id } : null);
    });
  });
}
