import { relations } from 'drizzle-orm';
import { index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { createdAt, id, tstz } from './columns.ts';
import { members } from './members.ts';

/** Dashboard login sessions (cookie). A session of a pending account has no member yet. */
export const sessions = pgTable(
  'sessions',
  {
    id: id(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    memberId: uuid().references(() => members.id),
    email: text().notNull(),
    /** SHA-256 hex of the cookie value. */
    tokenHash: text().notNull(),
    expiresAt: tstz().notNull(),
    lastActiveAt: tstz(),
    revokedAt: tstz(),
    ipAddress: text(),
    userAgent: text(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('sessions_token_hash_uq').on(t.tokenHash),
    index('sessions_account_id_idx').on(t.accountId),
    index('sessions_member_id_idx').on(t.memberId),
  ],
);

export const sessionsRelations = relations(sessions, ({ one }) => ({
  account: one(accounts, { fields: [sessions.accountId], references: [accounts.id] }),
  member: one(members, { fields: [sessions.memberId], references: [members.id] }),
}));
