import { type Database, queryRows, type Transaction } from '@rungate/db';
import { sql } from 'drizzle-orm';

/**
 * Runs `fn` in a transaction holding the advisory lock `rungate:<name>`, or returns `null` at once
 * when another connection (usually another instance) holds it. The lock is transaction-scoped, so
 * it is released on commit or rollback and a crashed instance never leaves it behind.
 */
export async function withTryLock<T>(
  db: Database,
  name: string,
  fn: (tx: Transaction) => Promise<T>,
): Promise<T | null> {
  return db.transaction(async (tx) => {
    const [lock] = await queryRows<{ locked: boolean }>(
      tx,
      sql`SELECT pg_try_advisory_xact_lock(hashtextextended(${`rungate:${name}`}, 0)) AS locked`,
    );
    if (!lock?.locked) return null;
    return fn(tx);
  });
}

/** What one batch of a drained sweep did: `count` rows changed, `more` when a full batch was seen. */
export interface BatchResult {
  count: number;
  more: boolean;
}

/**
 * Repeats `batch`, each in its own short transaction under the `name` lock, until it reports no
 * more work or another instance holds the lock (that instance carries on). Short transactions keep
 * row locks brief, so the proxy is never queued behind a large sweep. Returns the rows changed, or
 * `null` when the lock was taken by someone else before the first batch.
 */
export async function drainWithTryLock(
  db: Database,
  name: string,
  batch: (tx: Transaction) => Promise<BatchResult>,
): Promise<number | null> {
  let total = 0;
  for (let first = true; ; first = false) {
    const result = await withTryLock(db, name, batch);
    if (result === null) return first ? null : total;
    total += result.count;
    if (!result.more) return total;
  }
}

/** What a process gives each of its periodic database workers (sweeper, alert evaluator). */
export interface WorkerOptions {
  db: Database;
  now: () => Date;
  intervalMs?: number;
  onError: (error: unknown) => void;
}

export interface PeriodicOptions {
  /** Names the job in errors passed to `onError`. */
  name: string;
  intervalMs: number;
  run: () => Promise<unknown>;
  onError: (error: unknown, name: string) => void;
}

/**
 * Calls `run` every `intervalMs`; a pass still in flight makes the next tick skip, and a failed pass
 * is reported and retried on the next tick. The timer does not keep the process alive. The returned
 * `stop` cancels the timer and resolves once any pass in flight has finished, so shutdown can wait
 * for it before closing the database.
 */
export function startPeriodic(options: PeriodicOptions): () => Promise<void> {
  let inFlight: Promise<void> | null = null;
  const timer = setInterval(() => {
    if (inFlight) return;
    inFlight = options
      .run()
      .then(
        () => undefined,
        (error: unknown) => options.onError(error, options.name),
      )
      .finally(() => {
        inFlight = null;
      });
  }, options.intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await inFlight;
  };
}
