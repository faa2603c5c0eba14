import type { MemberRole, MemberStatus } from '@rungate/contracts';
import { relations } from 'drizzle-orm';
import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { id, timestamps, tstz } from './columns.ts';
import { tenantColumns } from './tenant.ts';

export const members = pgTable(
  'members',
  {
    id: id(),
    ...tenantColumns(),
    /** Stored lower-cased. */
    email: text().notNull(),
    displayName: text().notNull(),
    role: text().$type<MemberRole>().notNull(),
    status: text().$type<MemberStatus>().notNull().default('active'),
    /** Member id, or `token:<name>` when invited with an admin token. */
    invitedBy: text(),
    acceptedAt: tstz(),
    ...timestamps(),
  },
  (t) => [uniqueIndex('members_org_id_email_uq').on(t.orgId, t.email), index('members_email_idx').on(t.email)],
);

export const membersRelations = relations(members, ({ one }) => ({
  account: one(accounts, { fields: [members.orgId], references: [accounts.id] }),
}));
