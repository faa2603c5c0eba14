import { type Database, type Executor, queryRows, returnedRow } from '@rungate/db';
import { sql } from 'drizzle-orm';
import { param, preparedStatement } from '../batching/prepared-statement.ts';
import { subtractUsd, toUsd } from '../pricing/money.ts';
import { HOUR_MS, hourlySpendSince } from './hourly-spend.ts';

export interface BudgetLimits {
  hardLimitUsd: number | null;
  hardLimitTokens: number | null;
  maxCostPerHourUsd: number | null;
}

/** What is left to spend once settled spend and in-flight holds are counted; null = unlimited. */
export interface Headroom {
  usd: string | null;
  tokens: number | null;
  hourlyUsd: string | null;
}

export interface Hold {
  amountUsd: string;
  tokens: number;
}

export type Reservation =
  | { reserved: true; reservationId: string; hold: Hold; headroom: Headroom }
  | { reserved: false; headroom: Headroom; reason: 'run_not_found' | 'refused' };

export const hasBudgetLimits = (l: BudgetLimits) =>
  l.hardLimitUsd != null || l.hardLimitTokens != null || l.maxCostPerHourUsd != null;

type HeadroomRow = { usd: string | null; tokens: string | number | null; hourly_usd: string | null };

const toHeadroom = (row: HeadroomRow): Headroom => ({
  usd: row.usd === null ? null : String(row.usd),
  tokens: row.tokens === null ? null : Number(row.tokens),
  hourlyUsd: row.hourly_usd === null ? null : String(row.hourly_usd),
});

/**
 * The headroom columns, from `r` (the run's row, whose `reserved_*` columns sum its live holds)
 * and the agent's live holds, as of the snapshot of the statement that embeds them.
 */
const headroomColumns = sql`
  CASE WHEN ${param('hardLimitUsd')}::numeric IS NULL THEN NULL
       ELSE (${param('hardLimitUsd')}::numeric - r.total_cost_usd - r.reserved_usd)::numeric(20, 10) END AS usd,
  CASE WHEN ${param('hardLimitTokens')}::bigint IS NULL THEN NULL
       ELSE ${param('hardLimitTokens')}::bigint - r.total_tokens - r.reserved_tokens END AS tokens,
  CASE WHEN ${param('maxCostPerHourUsd')}::numeric IS NULL THEN NULL
       ELSE (${param('maxCostPerHourUsd')}::numeric - (
         SELECT coalesce(sum(amount_usd), 0) FROM budget_reservations
         WHERE agent_id = ${param('agentId')}::uuid AND expires_at > ${param('now')}
       ) - ${hourlySpendSince(param('agentId'), param('hourAgo'))})::numeric(20, 10) END AS hourly_usd`;

// A hold is transient, so its commit need not wait for the WAL flush (`synchronous_commit`
// off for this transaction only). If PostgreSQL crashes, holds committed in its last moments
// may be lost: that loosens the limits for those calls in flight only (their steps are still
// recorded against the run, and settling a lost hold releases nothing), holds expire anyway,
// and any later synchronous commit (every step is one) makes earlier holds durable, since WAL
// is flushed in order. The ledger (`recordStep`) stays synchronous: it is the durable record.
export const asyncCommit = sql`SELECT set_config('synchronous_commit', 'off', true) AS async_commit`;

/** The hold's row and the run's counters, moved together. */
const holdValues = sql`${param('orgId')}::uuid, ${param('runId')}::uuid, ${param('agentId')}::uuid, ${param('amountUsd')}::numeric,
  ${param('tokens')}::bigint, ${param('expiresAt')}, ${param('now')}`;

/** Whether the hold fits under the run's hard limits, on the row as the UPDATE sees it. */
const fitsUnderHardLimits = sql`
  (${param('hardLimitUsd')}::numeric IS NULL OR total_cost_usd + reserved_usd + ${param('amountUsd')}::numeric <= ${param('hardLimitUsd')}::numeric)
  AND (${param('hardLimitTokens')}::bigint IS NULL OR total_tokens + reserved_tokens + ${param('tokens')}::bigint <= ${param('hardLimitTokens')}::bigint)`;

/**
 * Locks the run row and, under an hourly cap, the agent (an advisory lock: the cap spans the
 * agent's runs), in that order. Its measure predates the locks, so the hold measures again.
 */
const lockAndMeasure = preparedStatement<HeadroomRow>(
  'rungate_reserve_lock',
  sql`
  WITH r AS (SELECT total_cost_usd, total_tokens, reserved_usd, reserved_tokens FROM runs WHERE id = ${param('runId')}::uuid FOR UPDATE),
  commit_mode AS (${asyncCommit})
  SELECT ${headroomColumns},
    (SELECT pg_advisory_xact_lock(hashtextextended(${param('agentId')}::text, 0)) WHERE ${param('maxCostPerHourUsd')}::numeric IS NOT NULL) AS agent_locked
  FROM r, commit_mode
`,
);

const measure = preparedStatement<HeadroomRow>(
  'rungate_reserve_measure',
  sql`
  SELECT ${headroomColumns} FROM runs r WHERE r.id = ${param('runId')}::uuid
`,
);

const addToRun = sql`UPDATE runs SET reserved_usd = reserved_usd + ${param('amountUsd')}::numeric, reserved_tokens = reserved_tokens + ${param('tokens')}::bigint
  WHERE id = ${param('runId')}::uuid`;

/** Inserts the hold only if the headroom, measured now, is still the one it was sized from. */
const holdIfUnchanged = preparedStatement<HeadroomRow & { id: string | null }>(
  'rungate_reserve_hold_if_unchanged',
  sql`
  WITH fresh AS (SELECT ${headroomColumns} FROM runs r WHERE r.id = ${param('runId')}::uuid),
  inserted AS (
    INSERT INTO budget_reservations (org_id, run_id, agent_id, amount_usd, tokens, expires_at, created_at)
    SELECT ${holdValues}
    FROM fresh
    WHERE fresh.usd IS NOT DISTINCT FROM ${param('seenUsd')}::numeric
      AND fresh.tokens IS NOT DISTINCT FROM ${param('seenTokens')}::bigint
      AND fresh.hourly_usd IS NOT DISTINCT FROM ${param('seenHourlyUsd')}::numeric
    RETURNING id
  ), counted AS (${addToRun} AND EXISTS (SELECT 1 FROM inserted))
  SELECT fresh.*, (SELECT id FROM inserted) AS id FROM fresh
`,
);

const insertHold = preparedStatement<{ id: string }>(
  'rungate_reserve_hold',
  sql`
  WITH counted AS (${addToRun})
  INSERT INTO budget_reservations (org_id, run_id, agent_id, amount_usd, tokens, expires_at, created_at)
  VALUES (${holdValues})
  RETURNING id
`,
);

/** What a call needs of its run to be governed; a `RunRow` is one. */
export interface RunState {
  id: string;
  orgId: string;
  agentId: string;
  policyId: string | null;
  status: string;
  stepCount: number;
  totalCostUsd: string;
  totalTokens: number;
  reservedUsd: string;
  reservedTokens: number;
}

export type RunStateRow = {
  id: string;
  org_id: string;
  agent_id: string;
  policy_id: string | null;
  status: string;
  step_count: number | string;
  total_cost_usd: string;
  total_tokens: number | string;
  reserved_usd: string;
  reserved_tokens: number | string;
  reservation_id: string;
};

/**
 * The one-statement hold: an UPDATE whose WHERE checks that the hold fits under the run's hard
 * limits. PostgreSQL re-evaluates an UPDATE's WHERE on the latest version of a row it had to
 * wait for, so concurrent holds on one run, from any process, serialize on the row and the last
 * to fit wins; no explicit transaction, one round trip.
 */
export const heldRunAndHold = (target: ReturnType<typeof sql>) => sql`
  WITH r AS (
    UPDATE runs SET reserved_usd = reserved_usd + ${param('amountUsd')}::numeric, reserved_tokens = reserved_tokens + ${param('tokens')}::bigint
    WHERE ${target} AND status = 'running' AND ${fitsUnderHardLimits}
    RETURNING id, org_id, agent_id, policy_id, status, step_count, total_cost_usd, total_tokens, reserved_usd, reserved_tokens
  ), commit_mode AS (${asyncCommit}),
  hold AS (
    INSERT INTO budget_reservations (org_id, run_id, agent_id, amount_usd, tokens, expires_at, created_at)
    SELECT r.org_id, r.id, r.agent_id, ${param('amountUsd')}::numeric, ${param('tokens')}::bigint, ${param('expiresAt')}, ${param('now')}
    FROM r, commit_mode
    RETURNING id
  )
  SELECT r.*, hold.id AS reservation_id FROM r, hold`;

/** A hold on a run the caller has just read, sized from that read. */
const holdIfFits = preparedStatement<RunStateRow>(
  'rungate_reserve_if_fits',
  heldRunAndHold(sql`id = ${param('runId')}::uuid`),
);

export const toRunState = (row: RunStateRow): RunState => ({
  id: row.id,
  orgId: row.org_id,
  agentId: row.agent_id,
  policyId: row.policy_id,
  status: row.status,
  stepCount: Number(row.step_count),
  totalCostUsd: String(row.total_cost_usd),
  totalTokens: Number(row.total_tokens),
  reservedUsd: String(row.reserved_usd),
  reservedTokens: Number(row.reserved_tokens),
});

/** What the caller last saw of the run: sizes a first, optimistic hold. */
export interface RunSpendSeen {
  totalCostUsd: string;
  totalTokens: number;
  reservedUsd: string;
  reservedTokens: number;
}

export function headroomFrom(limits: BudgetLimits, seen: RunSpendSeen): Headroom {
  return {
    usd:
      limits.hardLimitUsd == null
        ? null
        : subtractUsd(subtractUsd(toUsd(limits.hardLimitUsd), seen.totalCostUsd), seen.reservedUsd),
    tokens: limits.hardLimitTokens == null ? null : limits.hardLimitTokens - seen.totalTokens - seen.reservedTokens,
    hourlyUsd: null,
  };
}

/**
 * Pre-authorizes a call against the run's hard limits and the agent's hourly cap, recording a
 * hold that settlement (`recordStep`) or release gives back. Concurrent calls on one run, from
 * any number of processes, can never hold and spend past the limits together.
 *
 * Without an hourly cap, the hold is first sized from the run as the caller last read it and
 * taken in one conditional statement (`holdIfFits`). When that does not fit (the run moved, or
 * the budget is nearly spent), or an hourly cap applies, the locked path decides: a transaction
 * holding the run row (and, for the hourly cap, an advisory lock on the agent) measures the
 * headroom and lets `plan` size the hold from it. The statement that takes the lock measures
 * too, but under READ COMMITTED only the run row is re-read once the lock is granted; the
 * agent's holds are not, so the hold's INSERT measures again and writes only if nothing
 * changed, else `plan` is asked again with the fresh headroom. `plan`'s last call is always with
 * the headroom the decision stands on.
 */
export async function reserveBudget(
  db: Database,
  args: {
    orgId: string;
    runId: string;
    agentId: string;
    limits: BudgetLimits;
    now: Date;
    ttlMs: number;
    seen?: RunSpendSeen;
  },
  plan: (headroom: Headroom) => Hold | null,
): Promise<Reservation> {
  const { orgId, runId, agentId, limits, now } = args;
  const where = {
    runId,
    agentId,
    now,
    hourAgo: new Date(now.getTime() - HOUR_MS),
    hardLimitUsd: limits.hardLimitUsd,
    hardLimitTokens: limits.hardLimitTokens,
    maxCostPerHourUsd: limits.maxCostPerHourUsd,
  };
  const holdOf = (hold: Hold) => ({
    ...where,
    orgId,
    amountUsd: hold.amountUsd,
    tokens: hold.tokens,
    expiresAt: new Date(now.getTime() + args.ttlMs),
  });

  if (args.seen && limits.maxCostPerHourUsd == null) {
    const headroom = headroomFrom(limits, args.seen);
    const hold = plan(headroom);
    if (hold) {
      const [taken] = await holdIfFits(db, holdOf(hold));
      if (taken) return { reserved: true, reservationId: taken.reservation_id, hold, headroom };
    }
  }

  return db.transaction(async (tx) => {
    const [locked] = await lockAndMeasure(tx, where);
    if (!locked)
      return { reserved: false, headroom: { usd: null, tokens: null, hourlyUsd: null }, reason: 'run_not_found' };
    let headroom = toHeadroom(locked);
    let hold = plan(headroom);
    if (hold) {
      const written = returnedRow(
        await holdIfUnchanged(tx, {
          ...holdOf(hold),
          seenUsd: headroom.usd,
          seenTokens: headroom.tokens,
          seenHourlyUsd: headroom.hourlyUsd,
        }),
      );
      if (written.id) return { reserved: true, reservationId: written.id, hold, headroom };
      headroom = toHeadroom(written);
    } else {
      const fresh = returnedRow(await measure(tx, where));
      headroom = toHeadroom(fresh);
    }
    hold = plan(headroom);
    if (!hold) return { reserved: false, headroom, reason: 'refused' };
    const inserted = returnedRow(await insertHold(tx, holdOf(hold)));
    return { reserved: true, reservationId: inserted.id, hold, headroom };
  });
}

/** Drops a hold without recording a step (the call never reached a provider). */
export async function releaseReservation(db: Database, reservationId: string): Promise<void> {
  await db.execute(sql`
    WITH gone AS (DELETE FROM budget_reservations WHERE id = ${reservationId}::uuid RETURNING run_id, amount_usd, tokens)
    UPDATE runs SET reserved_usd = runs.reserved_usd - gone.amount_usd, reserved_tokens = runs.reserved_tokens - gone.tokens
    FROM gone WHERE runs.id = gone.run_id`);
}

/**
 * Removes holds left by crashed processes and gives their amounts back to their runs. Until then
 * they keep counting against the run (which errs on the safe side); the agent's hourly cap
 * stops counting them at `expires_at`.
 */
export async function sweepExpiredReservations(db: Executor, now: Date): Promise<number> {
  const [swept] = await queryRows<{ holds: number }>(
    db,
    sql`WITH gone AS (DELETE FROM budget_reservations WHERE expires_at <= ${now} RETURNING run_id, amount_usd, tokens),
        per_run AS (SELECT run_id, sum(amount_usd) AS usd, sum(tokens) AS tokens, count(*) AS holds FROM gone GROUP BY run_id),
        given_back AS (
          UPDATE runs SET reserved_usd = runs.reserved_usd - per_run.usd, reserved_tokens = runs.reserved_tokens - per_run.tokens
          FROM per_run WHERE runs.id = per_run.run_id
        )
        SELECT coalesce(sum(holds), 0)::int AS holds FROM per_run`,
  );
  return swept?.holds ?? 0;
}
