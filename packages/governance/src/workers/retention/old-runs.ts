import { type Database, type Executor, queryRows, type Transaction } from '@rungate/db';
import { type SQL, sql } from 'drizzle-orm';

/**
 * Which data a retention cleanup removes. The unit is a whole run: a run is old when it has ended
 * and neither its end nor its last activity (a late blocked call still records a step) is newer
 * than the cutoff. Its steps and ledger entries go with it and nothing of a kept run is touched,
 * so every remaining run still totals exactly its ledger; a running run is never old.
 */
function oldRunsWhere(orgId: string, cutoff: Date): SQL {
  // started_at bounds the scan to the runs_org_id_started_at_idx range; the rest filters it.
  const before = sql`${cutoff.toISOString()}::timestamptz`;
  return sql`org_id = ${orgId}
    AND started_at < ${before}
    AND status <> 'running'
    AND greatest(ended_at, last_activity_at) < ${before}`;
}

export interface OldDataCounts {
  runs: number;
  steps: number;
  ledgerEntries: number;
}

/** Rows a cleanup with this cutoff would delete for one org. */
export async function countOldData(db: Executor, orgId: string, cutoff: Date): Promise<OldDataCounts> {
  const [row] = await queryRows<{ runs: number; steps: number; ledger_entries: number }>(
    db,
    sql`WITH old AS (SELECT id FROM runs WHERE ${oldRunsWhere(orgId, cutoff)})
        SELECT (SELECT count(*) FROM old)::int AS runs,
               (SELECT count(*) FROM steps WHERE org_id = ${orgId} AND run_id IN (SELECT id FROM old))::int AS steps,
               (SELECT count(*) FROM ledger_entries WHERE org_id = ${orgId} AND run_id IN (SELECT id FROM old))::int AS ledger_entries`,
  );
  return { runs: row?.runs ?? 0, steps: row?.steps ?? 0, ledgerEntries: row?.ledger_entries ?? 0 };
}

export interface PurgeResult extends OldDataCounts {
  /** Transactions used; each deleted about `batchRows` rows at most. */
  batches: number;
}

/** Rows one transaction deletes at most, unless a single run alone is larger. */
export const PURGE_BATCH_ROWS = 1_000;

const deleteCount = async (tx: Transaction, statement: SQL): Promise<number> =>
  (
    await queryRows<{ n: number }>(tx, sql`WITH gone AS (${statement} RETURNING 1) SELECT count(*)::int AS n FROM gone`)
  )[0]?.n ?? 0;

/**
 * Deletes one batch of old runs with their ledger entries and steps (children first), in the
 * caller's transaction. Runs are taken whole, as many as fit in `batchRows` rows by their step
 * count, so the ledger identity holds after every commit. SKIP LOCKED leaves a run some other
 * transaction is touching for the next cleanup instead of waiting on it.
 */
async function purgeBatch(
  tx: Transaction,
  orgId: string,
  cutoff: Date,
  batchRows: number,
): Promise<OldDataCounts & { more: boolean }> {
  const candidates = await queryRows<{ id: string; step_count: number }>(
    tx,
    sql`SELECT id, step_count FROM runs WHERE ${oldRunsWhere(orgId, cutoff)}
        ORDER BY started_at, id LIMIT ${batchRows} FOR UPDATE SKIP LOCKED`,
  );
  const ids: string[] = [];
  let rows = 0;
  for (const run of candidates) {
    // A run weighs itself, its steps and (at most) one ledger entry per step.
    const weight = 1 + 2 * run.step_count;
    if (ids.length > 0 && rows + weight > batchRows) break;
    ids.push(run.id);
    rows += weight;
  }
  if (ids.length === 0) return { runs: 0, steps: 0, ledgerEntries: 0, more: false };
  const idList = sql`(${sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  )})`;
  const ledgerEntries = await deleteCount(
    tx,
    sql`DELETE FROM ledger_entries WHERE org_id = ${orgId} AND run_id IN ${idList}`,
  );
  const steps = await deleteCount(tx, sql`DELETE FROM steps WHERE org_id = ${orgId} AND run_id IN ${idList}`);
  // Approval requests and budget holds of these runs cascade with them.
  const runs = await deleteCount(tx, sql`DELETE FROM runs WHERE org_id = ${orgId} AND id IN ${idList}`);
  return { runs, steps, ledgerEntries, more: ids.length < candidates.length || candidates.length === batchRows };
}

/**
 * Deletes an org's old runs, steps and ledger entries in short transactions of about `batchRows`
 * rows each, so the proxy's writes are never queued behind one long delete.
 */
export async function purgeOldData(
  db: Database,
  orgId: string,
  cutoff: Date,
  batchRows = PURGE_BATCH_ROWS,
): Promise<PurgeResult> {
  const total: PurgeResult = { runs: 0, steps: 0, ledgerEntries: 0, batches: 0 };
  for (;;) {
    const batch = await db.transaction((tx) => purgeBatch(tx, orgId, cutoff, batchRows));
    if (batch.runs === 0 && !batch.more) return total;
    total.runs += batch.runs;
    total.steps += batch.steps;
    total.ledgerEntries += batch.ledgerEntries;
    total.batches += 1;
    if (!batch.more) return total;
  }
}
