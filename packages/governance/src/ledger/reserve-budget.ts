import { type Database, type Executor, queryRows } from '@rungate/db';
import { sql } from 'drizzle-orm';

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
function headroomColumns(args: { runId: string; agentId: string; limits: BudgetLimits; now: Date }) {
  const { runId, agentId, limits, now } = args;
  const hourAgo = new Date(now.getTime() - 3_600_000);
  return sql`
    CASE WHEN ${limits.hardLimitUsd}::numeric IS NULL THEN NULL
         ELSE (${limits.hardLimitUsd}::numeric - r.total_cost_usd - holds.run_usd)::numeric(20, 10) END AS usd,
    CASE WHEN ${limits.hardLimitTokens}::bigint IS NULL THEN NULL
         ELSE ${limits.hardLimitTokens}::bigint - r.total_tokens - holds.run_tokens END AS tokens,
    CASE WHEN ${limits.maxCostPerHourUsd}::numeric IS NULL THEN NULL
         ELSE (${limits.maxCostPerHourUsd}::numeric - holds.agent_usd - (
           SELECT coalesce(sum(cost_usd), 0) FROM ledger_entries
           WHERE agent_id = ${agentId}::uuid AND created_at > ${hourAgo}
         ))::numeric(20, 10) END AS hourly_usd
    FROM (
      SELECT
        coalesce(sum(amount_usd) FILTER (WHERE run_id = ${runId}::uuid), 0) AS run_usd,
        coalesce(sum(tokens) FILTER (WHERE run_id = ${runId}::uuid), 0) AS run_tokens,
        coalesce(sum(amount_usd), 0) AS agent_usd
      FROM budget_reservations
      WHERE agent_id = ${agentId}::uuid AND expires_at > ${now}
    ) holds`;
}

/**
 * Pre-authorizes a call: under a lock on the run row (and on the agent, when an hourly cap
 * applies), computes the headroom, lets `plan` size the hold from it, and records the hold.
 * Concurrent calls on one run, from any number of processes, queue on the lock, so the sum of
 * holds and settled spend can never pass the limits.
 *
 * Four round trips (begin, lock, hold, commit) instead of five: the statement that takes the lock
 * also computes the headroom, but under READ COMMITTED its snapshot predates the lock, so holds
 * committed while it waited are invisible to it. The hold's INSERT, which starts after the lock
 * is held, recomputes the headroom and writes only if it is unchanged; otherwise (a lost race, or
 * a refusal) `plan` is asked again with the fresh headroom. `plan`'s last call is always with the
 * headroom the decision stands on.
 */
export async function reserveBudget(
  db: Database,
  args: { orgId: string; runId: string; agentId: string; limits: BudgetLimits; now: Date; ttlMs: number },
  plan: (headroom: Headroom) => Hold | null,
): Promise<Reservation> {
  const { runId, agentId, limits, now } = args;
  const columns = headroomColumns(args);
  return db.transaction(async (tx) => {
    // A hold is transient, so its commit need not wait for the WAL flush. If PostgreSQL crashes,
    // the holds committed in the last moments before it may be lost: that loosens the limits for
    // those calls in flight only (their steps are still recorded against the run), holds expire
    // anyway, and any later synchronous commit (every step is one) makes earlier holds durable,
    // since WAL is flushed in order. The ledger itself (`recordStep`) stays synchronous.
    const [locked] = await queryRows<HeadroomRow>(tx, sql`
      WITH r AS (SELECT total_cost_usd, total_tokens FROM runs WHERE id = ${runId}::uuid FOR UPDATE)
      SELECT set_config('synchronous_commit', 'off', true) AS async_commit, ${columns}, r
    `);
    if (!locked) return { reserved: false, headroom: { usd: null, tokens: null, hourlyUsd: null }, reason: 'run_not_found' };
    if (limits.maxCostPerHourUsd != null) {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${agentId}, 0))`);
    }
    let headroom = toHeadroom(locked);
    let hold = plan(headroom);
    if (hold) {
      const [written] = await queryRows<HeadroomRow & { id: string | null }>(tx, sql`
        WITH fresh AS (SELECT ${columns}, runs r WHERE r.id = ${runId}::uuid),
        inserted AS (
          INSERT INTO budget_reservations (org_id, run_id, agent_id, amount_usd, tokens, expires_at, created_at)
          SELECT ${args.orgId}::uuid, ${runId}::uuid, ${agentId}::uuid, ${hold.amountUsd}::numeric, ${hold.tokens},
                 ${new Date(now.getTime() + args.ttlMs)}, ${now}
          FROM fresh
          WHERE fresh.usd IS NOT DISTINCT FROM ${headroom.usd}::numeric
            AND fresh.tokens IS NOT DISTINCT FROM ${headroom.tokens}::bigint
            AND fresh.hourly_usd IS NOT DISTINCT FROM ${headroom.hourlyUsd}::numeric
          RETURNING id
        )
        SELECT fresh.*, (SELECT id FROM inserted) AS id FROM fresh
      `);
      if (written!.id) return { reserved: true, reservationId: written!.id, hold, headroom };
      headroom = toHeadroom(written!);
    } else {
      const [fresh] = await queryRows<HeadroomRow>(tx, sql`SELECT ${columns}, runs r WHERE r.id = ${runId}::uuid`);
      headroom = toHeadroom(fresh!);
    }
    hold = plan(headroom);
    if (!hold) return { reserved: false, headroom, reason: 'refused' };
    const [inserted] = await queryRows<{ id: string }>(tx, sql`
      INSERT INTO budget_reservations (org_id, run_id, agent_id, amount_usd, tokens, expires_at, created_at)
      VALUES (${args.orgId}::uuid, ${runId}::uuid, ${agentId}::uuid, ${hold.amountUsd}::numeric, ${hold.tokens},
              ${new Date(now.getTime() + args.ttlMs)}, ${now})
      RETURNING id
    `);
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
