import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { accounts, createDatabase } from '../src/index.ts';

describe('createDatabase on PGlite', () => {
  it('migrates a data dir and reopens it with the data kept', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rungate-db-'));
    try {
      const first = await createDatabase({ dataDir });
      expect(first.driver).toBe('pglite');
      await first.ping();
      await first.db.insert(accounts).values({ slug: 'kept', name: 'Kept' });
      await first.close();

      const second = await createDatabase({ dataDir });
      expect(await second.db.select({ slug: accounts.slug }).from(accounts)).toEqual([{ slug: 'kept' }]);
      await second.close();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    // Two cold starts of PGlite on disk (initdb, then recovery) and the migrations: over 40 s
    // seen on the 2-core VM while the other packages' suites run beside it.
  }, 120_000);

  it('ignores a non-postgres url and opens in memory', async () => {
    const handle = await createDatabase({ url: 'memory://', dataDir: 'memory://' });
    expect(handle.driver).toBe('pglite');
    await handle.close();
  });
});

const url = process.env.DATABASE_URL;

describe.runIf(url)('createDatabase on PostgreSQL', () => {
  const name = `rungate_c_${randomBytes(6).toString('hex')}`;
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(query).finally(() => client.end());
  };
  const target = () => {
    const u = new URL(url!);
    u.pathname = `/${name}`;
    return u.toString();
  };
  afterAll(() => admin(`drop database if exists ${name} with (force)`));

  it('lets instances that start together migrate an empty database once', async () => {
    await admin(`create database ${name}`);
    const handles = await Promise.all([1, 2, 3].map(() => createDatabase({ url: target() })));
    expect(handles.map((h) => h.driver)).toEqual(['pg', 'pg', 'pg']);
    await handles[0]!.ping();
    await handles[0]!.db.insert(accounts).values({ slug: 'pg', name: 'PG' });
    expect(await handles[1]!.db.select({ slug: accounts.slug }).from(accounts)).toEqual([{ slug: 'pg' }]);
    await Promise.all(handles.map((h) => h.close()));
  });
});
