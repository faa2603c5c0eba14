import { index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, tstz } from './columns.ts';

/** Pending `/auth/start` logins: a URL token and a 6-digit code, both stored as SHA-256 hex. */
export const magicLinkTokens = pgTable(
  'magic_link_tokens',
  {
    id: id(),
    /** Lower-cased; not a tenant table, the account is found (or created) at verification. */
    email: text().notNull(),
    tokenHash: text().notNull(),
    codeHash: text().notNull(),
    /** Wrong-code attempts, to lock out code guessing. */
    attempts: integer().notNull().default(0),
    expiresAt: tstz().notNull(),
    usedAt: tstz(),
    ipAddress: text(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('magic_link_tokens_token_hash_uq').on(t.tokenHash),
    index('magic_link_tokens_email_idx').on(t.email, t.createdAt),
  ],
);
