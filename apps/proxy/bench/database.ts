import type { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase, type Database, type DatabaseHandle } from '@rungate/governance';
import { createTestDatabase } from '@rungate/governance/testing';

export interface BenchDatabase {
  handle: DatabaseHandle;
  /** What the bench ran on, for the report. */
  label: string;
  close(): Promise<void>;
}

/**
 * The database the proxy would open in production, but private to this run. PostgreSQL
 * (`DATABASE_URL`): a fresh database cloned from the test template and dropped afterwards,
 * opened through `createDatabase` so the pool is the production one, not the test helper's
 * small pool. Otherwise PGlite in a temporary data directory, as `./.rungate` would be.
 */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  const url = process.env.DATABASE_URL;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const scratch = await createTestDatabase();
    // Its close ends the pool and drops the database `with (force)` at once, while the pool's
    // last client may still be connected: that client's 57P01 'error' would be unhandled.
    (scratch.db as unknown as { $client: EventEmitter }).$client.on('error', () => {});
    const target = new URL(url);
    target.pathname = `/${(await rows<{ name: string }>(scratch.db, 'select current_database() as name'))[0]!.name}`;
    const handle = await createDatabase({ url: target.toString() });
    return {
      handle,
      label: `PostgreSQL ${target.host}${target.pathname}`,
      close: async () => {
        await handle.close();
        await otherConnectionsGone(scratch.db);
        await scratch.close();
      },
    };
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'rungate-bench-'));
  const handle = await createDatabase({ dataDir });
  return {
    handle,
    label: `PGlite ${dataDir}`,
    close: async () => {
      await handle.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `pool.end()` resolves before the server has seen every connection go; dropping the database
 * `with (force)` would then kill the stragglers, whose unhandled 'error' crashes the process.
 */
async function otherConnectionsGone(db: Database): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const [row] = await rows<{ n: number }>(
      db,
      'select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    if (row?.n === 0) return;
    await sleep(20);
  }
}

async function rows<T>(db: Database, query: string): Promise<T[]> {
  // Both drivers answer `execute` with `{ rows }`; the driver-neutral type cannot say so.
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}
