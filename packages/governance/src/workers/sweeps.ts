import { approvalRequests, type Database, type Executor, queryRows } from '@rungate/db';
import { and, eq, inArray, lte, sql } from 'drizzle-orm';
import { toApprovalRequest } from '../approvals/presenter.ts';
import { AppError } from '../common/errors.ts';
import { recordEvent } from '../common/outbox.ts';
import { sweepExpiredReservations } from '../ledger/reserve-budget.ts';
import { completeRun } from '../runs/lifecycle.ts';

const BATCH = 200;
/** Used when a run's frozen policy predates the setting. */
const DEFAULT_IDLE_SECONDS = 300;

/** Completes running runs idle past their policy's `run_idle_timeout_seconds` (`idle_timeout`). */
export async function sweepIdleRuns(db: Executor, now: Date): Promise<number> {
  const idle = await queryRows<{ id: string }>(
    db,
    sql`SELECT id FROM runs
        WHERE status = 'running'
          AND last_activity_at < ${now}::timestamptz - make_interval(secs => coalesce(
                (policy_snapshot -> 'implicit_run_grouping' ->> 'run_idle_timeout_seconds')::int, ${DEFAULT_IDLE_SECONDS}))
        ORDER BY last_activity_at
        LIMIT ${BATCH}`,
  );
  let completed = 0;
  for (const { id } of idle) {
    try {
      await db.transaction((tx) => completeRun(tx, id, { endedReason: 'idle_timeout' }, now));
      completed += 1;
    } catch (error) {
      // Ended meanwhile by its agent or an operator: nothing left to do.
      if (!(error instanceof AppError && error.code === 'conflict')) throw error;
    }
  }
  return completed;
}

/** Marks pending approval requests past `expires_at` as expired and announces each once. */
export async function expireApprovalRequests(db: Executor, now: Date): Promise<number> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ id: approvalRequests.id })
      .from(approvalRequests)
      .where(and(eq(approvalRequests.status, 'pending'), lte(approvalRequests.expiresAt, now)))
      .limit(BATCH);
    if (due.length === 0) return 0;
    const expired = await tx
      .update(approvalRequests)
      .set({ status: 'expired' })
      .where(and(inArray(approvalRequests.id, due.map((d) => d.id)), eq(approvalRequests.status, 'pending')))
      .returning();
    for (const row of expired) await recordEvent(tx, row.orgId, 'approval.expired', { approval_request: toApprovalRequest(row, now) }, now);
    return expired.length;
  });
}

export interface SweepReport {
  idleRuns: number;
  expiredApprovals: number;
  staleHolds: number;
}

/**
 * One pass of the background upkeep, in one transaction holding a try-lock, so when several
 * instances run the sweeper only one works at a time (the others skip the pass).
 */
export async function sweepOnce(db: Database, now: Date): Promise<SweepReport | null> {
  return db.transaction(async (tx) => {
    const [lock] = await queryRows<{ locked: boolean }>(tx, sql`SELECT pg_try_advisory_xact_lock(hashtextextended('rungate:sweeper', 0)) AS locked`);
    if (!lock?.locked) return null;
    return {
      idleRuns: await sweepIdleRuns(tx, now),
      expiredApprovals: await expireApprovalRequests(tx, now),
      staleHolds: await sweepExpiredReservations(tx, now),
    };
  });
}

/** Runs `sweepOnce` every `intervalMs` until stopped; a failed pass is logged and retried next time. */
export function startSweeper(options: { db: Database; now: () => Date; intervalMs: number; onError: (error: unknown) => void }): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepOnce(options.db, options.now())
      .catch(options.onError)
      .finally(() => {
        running = false;
      });
  }, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
