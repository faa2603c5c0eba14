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

/**
 * Pre-authorizes a call: under a lock on the run row (and on the agent, when an hourly cap
 * applies), computes the headroom, lets `plan` size the hold from it, and records the hold.
 * Concurrent calls on one run, from any number of processes, queue on the lock, so the sum of
 * holds and settled spend can never pass the limits.
 */
export async function reserveBudget(
  db: Database,
  args: { orgId: string; runId: string; agentId: string; limits: BudgetLimits; now: Date; ttlMs: number },
  plan: (headroom: Headroom) => Hold | null,
): Promise<Reservation> {
  const { runId, agentId, limits, now } = args;
  return db.transaction(async (tx) => {
    const locked = await queryRows<{ id: string }>(tx, sql`SELECT id FROM runs WHERE id = ${runId}::uuid FOR UPDATE`);
    const unlimited: Headroom = { usd: null, tokens: null, hourlyUsd: null };
    if (locked.length === 0) return { reserved: false, headroom: unlimited, reason: 'run_not_found' };
    if (limits.maxCostPerHourUsd != null) {
      await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtextextended(${agentId}, 0))`);
    }
    const hourAgo = new Date(now.getTime() - 3_600_000);
    const [row] = await queryRows<{ usd: string | null; tokens: string | number | null; hourly_usd: string | null }>(tx, sql`
      WITH holds AS (
        SELECT
          coalesce(sum(amount_usd) FILTER (WHERE run_id = ${runId}::uuid), 0) AS run_usd,
          coalesce(sum(tokens) FILTER (WHERE run_id = ${runId}::uuid), 0) AS run_tokens,
          coalesce(sum(amount_usd), 0) AS agent_usd
        FROM budget_reservations
        WHERE agent_id = ${agentId}::uuid AND expires_at > ${now}
      )
      SELECT
        CASE WHEN ${limits.hardLimitUsd}::numeric IS NULL THEN NULL
             ELSE (${limits.hardLimitUsd}::numeric - r.total_cost_usd - holds.run_usd)::numeric(20, 10) END AS usd,
        CASE WHEN ${limits.hardLimitTokens}::bigint IS NULL THEN NULL
             ELSE ${limits.hardLimitTokens}::bigint - r.total_tokens - holds.run_tokens END AS tokens,
        CASE WHEN ${limits.maxCostPerHourUsd}::numeric IS NULL THEN NULL
             ELSE (${limits.maxCostPerHourUsd}::numeric - holds.agent_usd - (
               SELECT coalesce(sum(cost_usd), 0) FROM ledger_entries
               WHERE agent_id = ${agentId}::uuid AND created_at > ${hourAgo}
             ))::numeric(20, 10) END AS hourly_usd
      FROM runs r, holds
      WHERE r.id = ${runId}::uuid
    `);
    if (!row) return { reserved: false, headroom: unlimited, reason: 'run_not_found' };
    const headroom: Headroom = {
      usd: row.usd === null ? null : String(row.usd),
      tokens: row.tokens === null ? null : Number(row.tokens),
      hourlyUsd: row.hourly_usd === null ? null : String(row.hourly_usd),
    };
    const hold = plan(headroom);
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
