import type { AdminTokenScope, AdminTokenStatus } from '@rungate/contracts';
import { relations } from 'drizzle-orm';
import { pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { id, timestamps, tstz } from './columns.ts';

export const adminTokens = pgTable(
  'admin_tokens',
  {
    id: id(),
    accountId: uuid()
      .notNull()
      .references(() => accounts.id),
    name: text().notNull(),
    description: text(),
    scopes: text().array().$type<AdminTokenScope[]>().notNull(),
    /** SHA-256 hex of the full `rg_adm_...` token. */
    tokenHash: text().notNull(),
    /** First 11 characters, e.g. `rg_adm_abcd`. */
    tokenPrefix: text().notNull(),
    status: text().$type<AdminTokenStatus>().notNull().default('active'),
    expiresAt: tstz(),
    lastUsedAt: tstz(),
    revokedAt: tstz(),
    createdBy: text(),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex('admin_tokens_token_hash_uq').on(t.tokenHash),
    uniqueIndex('admin_tokens_account_id_name_uq').on(t.accountId, t.name),
  ],
);

export const adminTokensRelations = relations(adminTokens, ({ one }) => ({
  account: one(accounts, { fields: [adminTokens.accountId], references: [accounts.id] }),
}));
