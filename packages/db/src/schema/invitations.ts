import type { AssignableRole, InvitationStatus } from '@rungate/contracts';
import { relations } from 'drizzle-orm';
import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { createdAt, id, tstz, updatedAt } from './columns.ts';
import { tenantColumns } from './tenant.ts';

export const invitations = pgTable(
  'invitations',
  {
    id: id(),
    ...tenantColumns(),
    email: text().notNull(),
    role: text().$type<AssignableRole>().notNull(),
    /** Member id, or `token:<name>` when invited with an admin token. */
    invitedBy: text().notNull(),
    status: text().$type<InvitationStatus>().notNull().default('pending'),
    /** SHA-256 hex of the single-use acceptance token; resending replaces it. */
    tokenHash: text().notNull(),
    expiresAt: tstz().notNull(),
    acceptedAt: tstz(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('invitations_token_hash_uq').on(t.tokenHash),
    index('invitations_org_id_status_idx').on(t.orgId, t.status),
  ],
);

export const invitationsRelations = relations(invitations, ({ one }) => ({
  account: one(accounts, { fields: [invitations.orgId], references: [accounts.id] }),
}));
