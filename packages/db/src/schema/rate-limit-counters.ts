import { pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { tokenCount, tstz } from './columns.ts';

/**
 * Fixed-window counters for a database-backed limiter (several instances without Redis).
 * `key` is the caller's choice, e.g. `agent:<id>:policy:<id>:rpm`. Incremented with
 * `INSERT ... ON CONFLICT DO UPDATE ... RETURNING`.
 */
export const rateLimitCounters = pgTable(
  'rate_limit_counters',
  {
    key: text().notNull(),
    windowStart: tstz().notNull(),
    count: tokenCount().notNull().default(0),
    /** Rows past this time can be deleted. */
    expiresAt: tstz().notNull(),
  },
  (t) => [primaryKey({ name: 'rate_limit_counters_pk', columns: [t.key, t.windowStart] })],
);
