import type { Executor } from '@rungate/db';
import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';

const dialect = new PgDialect();

/** A named value in a prepared statement's text, filled from the values given at each execution. */
export const param = (name: string) => sql.placeholder(name);

/**
 * Raw SQL for the proxy's hot path, compiled to text once instead of on every call (drizzle
 * rebuilds a query's text each time it runs, a measurable share of a call's CPU). On `pg` the
 * statement is also prepared by name on each pooled connection, so PostgreSQL parses and plans
 * it once per connection rather than once per call; PGlite runs the same text unnamed.
 * Works with a database or an open transaction.
 */
export function preparedStatement<Row>(name: string, query: SQL) {
  const compiled = dialect.sqlToQuery(query);
  return async (executor: Executor, values: Record<string, unknown>): Promise<Row[]> => {
    const result = await executor._.session.prepareQuery(compiled, undefined, name, false).execute(values);
    return (result as unknown as { rows: Row[] }).rows;
  };
}
