import type { SQL } from 'drizzle-orm';
import type { Executor } from './client.ts';

/**
 * Runs raw SQL and returns its rows. Both drivers answer `execute` with `{ rows }`, but the
 * driver-neutral `Database` type cannot say so; this is the one place that bridges it.
 */
export async function queryRows<T>(executor: Executor, query: SQL): Promise<T[]> {
  const result = (await executor.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}

/**
 * The row a statement that always returns one gave back (`INSERT ... RETURNING`, or an `UPDATE`
 * of a row the transaction holds locked). None means a broken invariant, reported as such.
 */
export function returnedRow<T>(rows: readonly T[]): T {
  const row = rows[0];
  if (row === undefined) throw new Error('The statement returned no row');
  return row;
}
