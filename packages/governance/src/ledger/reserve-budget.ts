import { type Database, type Executor, queryRows } from '@rungate/db';
import { sql } from 'drizzle-orm';
import { param, preparedStatement } from '../common/prepared-statement.ts';

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

export const hasBudgetLimits = (l: BudgetLimits) => l.hardLimitUsd != null || l.hardLimitTokens != null || l.maxCostPerHourUsd != null;

type HeadroomRow = { usd: string | null; tokens: string | number | null; hourly_usd: string | null };

const toHeadroom = (row: HeadroomRow): Headroom => ({
  usd: row.usd === null ? null : String(row.usd),
  tokens: row.tokens === null ? null : Number(row.tokens),
  hourlyUsd: row.hourly_usd === null ? null : String(row.hourly_usd),
});

/**
 * The headroom columns, from `r` (the run's row) and the live holds, as of the snapshot of the
 * statement that embeds them.
 */
const headroomColumns = sql`
  CASE WHEN ${param('hardLimitUsd')}::numeric IS NULL THEN NULL
       ELSE (${param('hardLimitUsd')}::numeric - r.total_cost_usd - holds.run_usd)::numeric(20, 10) END AS usd,
  CASE WHEN ${param('hardLimitTokens')}::bigint IS NULL THEN NULL
       ELSE ${param('hardLimitTokens')}::bigint - r.total_tokens - holds.run_tokens END AS tokens,
  CASE WHEN ${param('maxCostPerHourUsd')}::numeric IS NULL THEN NULL
       ELSE (${param('maxCostPerHourUsd')}::numeric - holds.agent_usd - (
         SELECT coalesce(sum(cost_usd), 0) FROM ledger_entries
         WHERE agent_id = ${param('agentId')}::uuid AND created_at > ${param('hourAgo')}
       ))::numeric(20, 10) END AS hourly_usd
  FROM (
    SELECT
      coalesce(sum(amount_usd) FILTER (WHERE run_id = ${param('runId')}::uuid), 0) AS run_usd,
      coalesce(sum(tokens) FILTER (WHERE run_id = ${param('runId')}::uuid), 0) AS run_tokens,
      coalesce(sum(amount_usd), 0) AS agent_usd
    FROM budget_reservations
    WHERE agent_id = ${param('agentId')}::uuid AND expires_at > ${param('now')}
  ) holds`;

// A hold is transient, so its commit need not wait for the WAL flush (`synchronous_commit`
// off for this transaction only). If PostgreSQL crashes, holds committed in its last moments
// may be lost: that loosens the limits for those calls in flight only (their steps are still
// recorded against the run), holds expire anyway, and any later synchronous commit (every step
// is one) makes earlier holds durable, since WAL is flushed in order. The ledger (`recordStep`)
// stays synchronous: it is the durable record.
const lockAndMeasure = preparedStatement<HeadroomRow>('rungate_reserve_lock', sql`
  WITH r AS (SELECT total_cost_usd, total_tokens FROM runs WHERE id = ${param('runId')}::uuid FOR UPDATE)
  SELECT set_config('synchronous_commit', 'off', true) AS async_commit, ${headroomColumns}, r
`);

const measure = preparedStatement<HeadroomRow>('rungate_reserve_measure', sql`
  SELECT ${headroomColumns}, runs r WHERE r.id = ${param('runId')}::uuid
`);

const holdValues = sql`${param('orgId')}::uuid, ${param('runId')}::uuid, ${param('agentId')}::uuid, ${param('amountUsd')}::numeric,
  ${param('tokens')}::bigint, ${param('expiresAt')}, ${param('now')}`;

/** Inserts the hold only if the headroom, measured now, is still the one it was sized from. */
const holdIfUnchanged = preparedStatement<HeadroomRow & { id: string | null }>('rungate_reserve_hold_if_unchanged', sql`
  WITH fresh AS (SELECT ${headroomColumns}, runs r WHERE r.id = ${param('runId')}::uuid),
  inserted AS (
    INSERT INTO budget_reservations (org_id, run_id, agent_id, amount_usd, tokens, expires_at, created_at)
    SELECT ${holdValues}
    FROM fresh
    WHERE fresh.usd IS NOT DISTINCT FROM ${param('seenUsd')}::numeric
      AND fresh.tokens IS NOT DISTINCT FROM ${param('seenTokens')}::bigint
      AND fresh.hourly_usd IS NOT DISTINCT FROM ${param('seenHourlyUsd')}::numeric
    RETURNING id
  )
  SELECT fresh.*, (SELECT id FROM inserted) AS id FROM fresh
`);

const insertHold = preparedStatement<{ id: string }>('rungate_reserve_hold', sql`
  INSERT INTO budget_reservations (org_id, run_id, agent_id, amount_usd, tokens, expires_at, created_at)
  VALUES (${holdValues})
  RETURNING id
`);

/**
 * Pre-authorizes a call: under a lock on the run row (and on the agent, when an hourly cap
 * applies), computes the headroom, lets `plan` size the hold from it, and records the hold.
 * Concurrent calls on one run, from any number of processes, queue on the lock, so the sum of
 * holds and settled spend can never pass the limits.
 *
 * Four round trips (begin, lock, hold, commit) rather than five: the statement that takes the
 * lock also measures the headroom, but under READ COMMITTED its snapshot predates the lock, so
 * holds committed while it waited are invisible to it. The hold's INSERT, which starts once the
 * lock is held, measures again and writes only if nothing changed; otherwise (a lost race, or a
 * refusal, which is always confirmed) `plan` is asked again with the fresh headroom. `plan`'s
 * last call is always with the headroom the decision stands on.
 */
export async function reserveBudget(
  db: Database,
  args: { orgId: string; runId: string; agentId: string; limits: BudgetLimits; now: Date; ttlMs: number },
  plan: (headroom: Headroom) => Hold | null,
): Promise<Reservation> {
  const { orgId, runId, agentId, limits, now } = args;
  const where = {
    runId,
    agentId,
    now,
    hourAgo: new Date(now.getTime() - 3_600_000),
    hardLimitUsd: limits.hardLimitUsd,
    hardLimitTokens: limits.hardLimitTokens,
    maxCostPerHourUsd: limits.maxCostPerHourUsd,
  };
  const holdOf = (hold: Hold) => ({ ...where, orgId, amountUsd: hold.amountUsd, tokens: hold.tokens, expiresAt: new Date(now.getTime() + args.ttlMs) });
  return db.transaction(async (tx) => {
    const [locked] = await lockAndMeasure(tx, where);
    if (!locked) return { reserved: false, headroom: { usd: null, tokens: null, hourlyUsd: null }, reason: 'run_not_found' };
    if (limits.maxCostPerHourUsd != null) {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${agentId}, 0))`);
    }
    let headroom = toHeadroom(locked);
    let hold = plan(headroom);
    if (hold) {
      const [written] = await holdIfUnchanged(tx, { ...holdOf(hold), seenUsd: headroom.usd, seenTokens: headroom.tokens, seenHourlyUsd: headroom.hourlyUsd });
      if (written!.id) return { reserved: true, reservationId: written!.id, hold, headroom };
      headroom = toHeadroom(written!);
    } else {
      const [fresh] = await measure(tx, where);
      headroom = toHeadroom(fresh!);
    }
    hold = plan(headroom);
    if (!hold) return { reserved: false, headroom, reason: 'refused' };
    const [inserted] = await insertHold(tx, holdOf(hold));
    return { reserved: true, reservationId: inserted!.id, hold, headroom };
  });
}

/** Drops a hold without recording a step (the call never reached a provider). */
export async function releaseReservation(db: Database, reservationId: string): Promise<void> {
  await db.execute(sql`DELETE FROM budget_reservations WHERE id = ${reservationId}::uuid`);
}

/** Removes holds left by crashed processes; they stopped counting at `expires_at` already. */
export async function sweepExpiredReservations(db: Executor, now: Date): Promise<number> {
  const swept = await queryRows<{ id: string }>(db, sql`DELETE FROM budget_reservations WHERE expires_at <= ${now} RETURNING id`);
  return swept.length;
}
