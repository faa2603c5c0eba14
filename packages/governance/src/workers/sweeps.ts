import { approvalRequests, type Database, queryRows, type Transaction } from '@rungate/db';
import { and, eq, inArray, lte, type SQL, sql } from 'drizzle-orm';
import { sweepExpiredReservations } from '../calls/ledger/reserve-budget.ts';
import { AppError } from '../errors.ts';
import { completeRun } from '../resources/runs/lifecycle.ts';
import { type BatchResult, drainWithTryLock, startPeriodic, type WorkerOptions, withTryLock } from './exclusive.ts';
import { failPausedWebhookDeliveries, PAUSED_DELIVERY_BATCH } from './webhook-engine/paused-sweep.ts';

/** Rows per short transaction; a sweep repeats batches until none is full. */
export const SWEEP_BATCH = 200;
/** How often the api runs a sweep pass (the "every 60 s"). */
export const SWEEP_INTERVAL_MS = 60_000;
/** Used when a run's frozen policy predates the setting. */
const DEFAULT_IDLE_SECONDS = 300;

/**
 * One batch of idle runs: locked with SKIP LOCKED so a run the proxy is touching right now is left
 * for the next pass (it is not idle anyway) and neither side waits on the other.
 */
async function completeIdleRunBatch(tx: Transaction, now: Date): Promise<BatchResult> {
  const idle = await queryRows<{ id: string }>(
    tx,
    sql`SELECT id FROM runs
        WHERE status = 'running'
          AND last_activity_at < ${now}::timestamptz - make_interval(secs => coalesce(
                (policy_snapshot -> 'implicit_run_grouping' ->> 'run_idle_timeout_seconds')::int, ${DEFAULT_IDLE_SECONDS}))
        ORDER BY last_activity_at
        LIMIT ${SWEEP_BATCH}
        FOR UPDATE SKIP LOCKED`,
  );
  let completed = 0;
  for (const { id } of idle) {
    try {
      // completeRun applies the frozen policy's outcome_defaults.idle_timeout and records run.completed.
      await tx.transaction((savepoint) => completeRun(savepoint, id, { endedReason: 'idle_timeout' }, now));
      completed += 1;
    } catch (error) {
      // Ended meanwhile by its agent or an operator: nothing left to do.
      if (!(error instanceof AppError && error.code === 'conflict')) throw error;
    }
  }
  return { count: completed, more: idle.length === SWEEP_BATCH };
}

/** Completes running runs idle past their policy's `run_idle_timeout_seconds` (`idle_timeout`). */
export async function sweepIdleRuns(db: Database, now: Date): Promise<number | null> {
  return drainWithTryLock(db, 'sweep:idle-runs', (tx) => completeIdleRunBatch(tx, now));
}

async function expireApprovalBatch(tx: Transaction, now: Date): Promise<BatchResult> {
  const due = await tx
    .select({ id: approvalRequests.id })
    .from(approvalRequests)
    .where(and(eq(approvalRequests.status, 'pending'), lte(approvalRequests.expiresAt, now)))
    .limit(SWEEP_BATCH)
    .for('update', { skipLocked: true });
  if (due.length === 0) return { count: 0, more: false };
  const expired = await tx
    .update(approvalRequests)
    .set({ status: 'expired' })
    .where(
      and(
        inArray(
          approvalRequests.id,
          due.map((d) => d.id),
        ),
        eq(approvalRequests.status, 'pending'),
      ),
    )
    .returning({ id: approvalRequests.id });
  return { count: expired.length, more: due.length === SWEEP_BATCH };
}

/** Marks pending approval requests past `expires_at` as expired (`WebhookEventType` has no event for it). */
export async function expireApprovalRequests(db: Database, now: Date): Promise<number | null> {
  return drainWithTryLock(db, 'sweep:approval-expiry', (tx) => expireApprovalBatch(tx, now));
}

/** Drops budget holds of calls that never settled (one statement: holds live seconds, so few are ever stale). */
export async function dropStaleHolds(db: Database, now: Date): Promise<number | null> {
  return withTryLock(db, 'sweep:stale-holds', (tx) => sweepExpiredReservations(tx, now));
}

/** Rows a purge deletes per short transaction. */
const PURGE_BATCH = SWEEP_BATCH * 5;

/**
 * Deletes up to `PURGE_BATCH` rows of `table` (identified by `key`) that match `where`; rows
 * another instance holds are skipped, so a purge never waits on the proxy.
 */
async function purgeBatch(tx: Transaction, table: SQL, key: SQL, where: SQL): Promise<BatchResult> {
  const [purged] = await queryRows<{ n: number }>(
    tx,
    sql`WITH gone AS (
          DELETE FROM ${table} WHERE (${key}) IN (SELECT ${key} FROM ${table} WHERE ${where} LIMIT ${PURGE_BATCH} FOR UPDATE SKIP LOCKED)
          RETURNING 1)
        SELECT count(*)::int AS n FROM gone`,
  );
  const count = purged?.n ?? 0;
  return { count, more: count === PURGE_BATCH };
}

/** How long a fanned-out event stays in the outbox; its deliveries keep their own payload copy. */
export const DISPATCHED_EVENT_RETENTION_MS = 24 * 3_600_000;

/** Deletes outbox events fanned out more than a day ago, so the outbox does not grow without end. */
export async function purgeDispatchedEvents(db: Database, now: Date): Promise<number | null> {
  const before = new Date(now.getTime() - DISPATCHED_EVENT_RETENTION_MS);
  return drainWithTryLock(db, 'sweep:outbox', (tx) =>
    purgeBatch(tx, sql`events`, sql`id`, sql`dispatched_at < ${before}::timestamptz`),
  );
}

/** How long an agent's spend per minute is kept: the hourly cap reads the last hour only. */
export const SPEND_MINUTES_RETENTION_MS = 2 * 3_600_000;

/** Deletes agents' spend per minute older than two hours, which no hourly cap reads any more. */
export async function purgeOldSpendMinutes(db: Database, now: Date): Promise<number | null> {
  const before = new Date(now.getTime() - SPEND_MINUTES_RETENTION_MS);
  return drainWithTryLock(db, 'sweep:spend-minutes', (tx) =>
    purgeBatch(tx, sql`agent_spend_minutes`, sql`agent_id, minute`, sql`minute < ${before}::timestamptz`),
  );
}

/** Fails paused webhooks' pending deliveries, batch by batch (rows another instance holds are skipped). */
async function failPausedDeliveries(db: Database, now: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const failed = await failPausedWebhookDeliveries(db, now);
    total += failed;
    if (failed < PAUSED_DELIVERY_BATCH) return total;
  }
}

/** What one pass did per sweep; `null` when another instance held that sweep's lock and did it. */
export interface SweepReport {
  idleRuns: number | null;
  expiredApprovals: number | null;
  staleHolds: number | null;
  pausedWebhookDeliveries: number | null;
  purgedEvents: number | null;
  purgedSpendMinutes: number | null;
}

/**
 * One pass of the background upkeep. Each sweep has its own advisory lock, so with several
 * instances each sweep runs on one of them at a time and a long sweep does not hold the others
 * back. A failing sweep does not stop the rest; the failures are thrown together afterwards.
 */
export async function sweepOnce(db: Database, now: Date): Promise<SweepReport> {
  const failures: unknown[] = [];
  const attempt = async (sweep: () => Promise<number | null>): Promise<number | null> => {
    try {
      return await sweep();
    } catch (error) {
      failures.push(error);
      return null;
    }
  };
  const report: SweepReport = {
    idleRuns: await attempt(() => sweepIdleRuns(db, now)),
    expiredApprovals: await attempt(() => expireApprovalRequests(db, now)),
    staleHolds: await attempt(() => dropStaleHolds(db, now)),
    pausedWebhookDeliveries: await attempt(() => failPausedDeliveries(db, now)),
    purgedEvents: await attempt(() => purgeDispatchedEvents(db, now)),
    purgedSpendMinutes: await attempt(() => purgeOldSpendMinutes(db, now)),
  };
  if (failures.length > 0) throw new AggregateError(failures, `${failures.length} background sweep(s) failed`);
  return report;
}

/** Runs `sweepOnce` every `intervalMs` (default 60 s); `stop` resolves once a pass in flight ends. */
export function startSweeper(options: WorkerOptions): () => Promise<void> {
  return startPeriodic({
    name: 'sweeper',
    intervalMs: options.intervalMs ?? SWEEP_INTERVAL_MS,
    run: () => sweepOnce(options.db, options.now()),
    onError: options.onError,
  });
}
