import { bigint, numeric, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Column builders shared by every table. Builders are functions because a builder instance belongs to one table. */
export const id = () => uuid().primaryKey().defaultRandom();

export const tstz = () => timestamp({ withTimezone: true, mode: 'date' });

export const createdAt = () => tstz().notNull().defaultNow();

export const updatedAt = () =>
  tstz()
    .notNull()
    .defaultNow()
    .$onUpdate(() => new Date());

export const timestamps = () => ({ createdAt: createdAt(), updatedAt: updatedAt() });

/** USD amounts: exact decimals, read back as strings. */
export const money = () => numeric({ precision: 20, scale: 10 });

export const tokenCount = () => bigint({ mode: 'number' });

/** The four token buckets a call is billed by. */
export const tokenBuckets = () => ({
  inputTokens: tokenCount().notNull().default(0),
  outputTokens: tokenCount().notNull().default(0),
  cacheReadTokens: tokenCount().notNull().default(0),
  cacheCreationTokens: tokenCount().notNull().default(0),
});

/**
 * Who owns and who last touched a dashboard-managed resource.
 * `createdBy`/`updatedBy` are identity strings (member id, "session", "system", "token:<name>").
 */
export const auditColumns = () => ({
  memberId: uuid(),
  createdBy: text(),
  updatedBy: text(),
  createdByTokenId: uuid(),
  updatedByTokenId: uuid(),
});
