import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { MIGRATION_LOCK_KEY, migrationsFolder } from './migrations.ts';
import * as schema from './schema/index.ts';

export type Schema = typeof schema;

/** Either driver; services take this (or a `Transaction`), never a driver-specific type. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

/** What `db.transaction(cb)` passes to `cb`. */
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

/** A database handle or an open transaction: lets a service join its caller's transaction. */
export type Executor = Database | Transaction;

export type Driver = 'pg' | 'pglite';

export interface DatabaseHandle {
  db: Database;
  driver: Driver;
  close(): Promise<void>;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
}

export interface DatabaseOptions {
  /** `postgres://` or `postgresql://` selects a real server; anything else is ignored. */
  url?: string;
  /** PGlite data directory; `memory://` for in-memory. Default `./.rungate`. */
  dataDir?: string;
  /** Pool size for the `pg` driver. */
  maxConnections?: number;
  /**
   * Told of errors on idle `pg` connections (the server restarted or went away). Without a
   * listener such an error would end the process; the pool replaces the connection by itself.
   */
  onError?: (error: Error) => void;
}

/**
 * How long a `pg` connection attempt (or a wait for a free one) may take: an unreachable
 * server fails calls fast instead of holding them (docs/decisions.md, outages).
 */
export const CONNECT_TIMEOUT_MS = 1_000;

const drizzleConfig = { schema, casing: 'snake_case' } as const;

export function isPostgresUrl(url: string | undefined): url is string {
  return url !== undefined && /^postgres(ql)?:\/\//.test(url);
}

/** Opens the database selected by the options and applies pending migrations. */
export async function createDatabase(options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  if (isPostgresUrl(options.url)) {
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.maxConnections ?? 10,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
    });
    pool.on('error', options.onError ?? (() => undefined));
    try {
      await migratePostgres(pool);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return wrapPool(pool);
  }
  const client = new PGlite(options.dataDir ?? './.rungate');
  const handle = wrapPglite(client);
  try {
    await migratePglite(drizzlePglite({ client, ...drizzleConfig }), { migrationsFolder });
  } catch (error) {
    await client.close();
    throw error;
  }
  return handle;
}

/** Migrates under a session advisory lock, so instances starting together take turns. */
export async function migratePostgres(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migratePg(drizzlePg({ client, ...drizzleConfig }), { migrationsFolder });
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

export function wrapPool(pool: pg.Pool): DatabaseHandle {
  const db = drizzlePg({ client: pool, ...drizzleConfig });
  return {
    db,
    driver: 'pg',
    close: () => pool.end(),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
  };
}

export function wrapPglite(client: PGlite): DatabaseHandle {
  const db = drizzlePglite({ client, ...drizzleConfig });
  return {
    db,
    driver: 'pglite',
    close: () => client.close(),
    ping: async () => {
      await db.execute(sql`select 1`);
    },
  };
}
