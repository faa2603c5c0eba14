import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { type Database, type Driver, isPostgresUrl, migratePostgres, wrapPglite, wrapPool } from './client.ts';
import { migrationsFolder, migrationsHash } from './migrations.ts';
import * as schema from './schema/index.ts';

export { type CuttableProxy, startCuttableProxy } from './cuttable-proxy.ts';

export interface TestDatabase {
  db: Database;
  driver: Driver;
  /** The private database's connection URL on PostgreSQL, for a second handle on it; null on PGlite. */
  url: string | null;
  /** Closes the connection and, on PostgreSQL, drops the database. */
  close(): Promise<void>;
}

/**
 * A fresh, migrated, private database. With `DATABASE_URL` set: a new database on that server
 * cloned from a migrated template. Otherwise: PGlite in memory.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  return isPostgresUrl(url) ? createPostgresTestDatabase(url) : createPgliteTestDatabase();
}

// --- PostgreSQL: CREATE DATABASE ... TEMPLATE (about 100 ms) ---------------------------------

const TEMPLATE_LOCK_KEY = 7_251_180_002;
const templates = new Map<string, Promise<string>>();

async function createPostgresTestDatabase(url: string): Promise<TestDatabase> {
  let template = templates.get(url);
  if (!template) {
    template = ensureTemplate(url);
    templates.set(url, template);
    template.catch(() => templates.delete(url));
  }
  const templateName = await template;
  const name = `rungate_t_${randomBytes(6).toString('hex')}`;
  await withAdminClient(url, (c) => c.query(`create database ${name} template ${templateName}`));
  const databaseUrl = withDatabase(url, name);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  // The forced drop in close() may terminate sockets `end()` has not closed yet; that is expected.
  pool.on('error', () => undefined);
  const { db, driver } = wrapPool(pool);
  return {
    db,
    driver,
    url: databaseUrl,
    close: async () => {
      await pool.end();
      await withAdminClient(url, (c) => c.query(`drop database if exists ${name} with (force)`));
    },
  };
}

/**
 * One migrated template per migration set, shared by every worker and process. Built under a
 * different name and renamed when complete, so a crash mid-build never leaves a half template.
 */
async function ensureTemplate(url: string): Promise<string> {
  const name = `rungate_tpl_${migrationsHash()}`;
  const building = `${name}_build`;
  await withAdminClient(url, async (admin) => {
    await admin.query('select pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY]);
    try {
      const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
      if (found.rowCount) return;
      await admin.query(`drop database if exists ${building} with (force)`);
      await admin.query(`create database ${building}`);
      const pool = new pg.Pool({ connectionString: withDatabase(url, building), max: 1 });
      try {
        await migratePostgres(pool);
      } finally {
        await pool.end();
      }
      await admin.query(`alter database ${building} rename to ${name}`);
    } finally {
      await admin.query('select pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY]);
    }
  });
  return name;
}

async function withAdminClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

// --- PGlite: boot from a migrated data-dir tarball -------------------------------------------

// Booting PGlite runs initdb (~1.5 s); loading a dumped, already migrated data dir takes
// ~0.3 s. The tarball is cached per process and on disk, so each test file pays initdb once
// at most, and only the first file after a migration change does.
let snapshot: Promise<Blob> | undefined;

async function createPgliteTestDatabase(): Promise<TestDatabase> {
  snapshot ??= loadOrBuildSnapshot();
  snapshot.catch(() => (snapshot = undefined));
  const { db, driver, close } = wrapPglite(new PGlite({ loadDataDir: await snapshot }));
  return { db, driver, url: null, close };
}

async function loadOrBuildSnapshot(): Promise<Blob> {
  const file = join(tmpdir(), `rungate-pglite-${pgliteVersion()}-${migrationsHash()}.tar`);
  try {
    return new Blob([await readFile(file)]);
  } catch {
    const client = new PGlite('memory://');
    try {
      await migrate(drizzle({ client, schema, casing: 'snake_case' }), { migrationsFolder });
      const blob = await client.dumpDataDir('none');
      // Write then rename: parallel workers never read a partial file.
      const partial = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
      await writeFile(partial, new Uint8Array(await blob.arrayBuffer()));
      await rename(partial, file);
      return blob;
    } finally {
      await client.close();
    }
  }
}

function pgliteVersion(): string {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
