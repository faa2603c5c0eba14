import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDatabase, type DatabaseHandle } from '@rungate/db';
import { createTestDatabase } from '@rungate/db/testing';

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
    // Both drivers answer `execute` with `{ rows }`; the driver-neutral type cannot say so.
    const result = (await scratch.db.execute('select current_database() as name')) as unknown as { rows: { name: string }[] };
    const target = new URL(url);
    target.pathname = `/${result.rows[0]!.name}`;
    const handle = await createDatabase({ url: target.toString() });
    return {
      handle,
      label: `PostgreSQL ${target.host}${target.pathname}`,
      close: async () => {
        await handle.close();
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
