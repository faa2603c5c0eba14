import type { AccountStatus, AccountTier } from '@rungate/contracts';
import { relations } from 'drizzle-orm';
import { boolean, index, integer, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { id, timestamps, tstz } from './columns.ts';
import { members } from './members.ts';

/** An organisation (tenant). Every tenant table points here through `org_id`. */
export const accounts = pgTable(
  'accounts',
  {
    id: id(),
    slug: text().notNull(),
    name: text().notNull(),
    tier: text().$type<AccountTier>().notNull().default('free'),
    email: text(),
    status: text().$type<AccountStatus>().notNull().default('active'),
    isHosted: boolean().notNull().default(false),
    monthlyStepCount: integer().notNull().default(0),
    monthlyStepCountResetAt: tstz(),
    /** Null uses the tier default. */
    stepLimitOverride: integer(),
    ...timestamps(),
  },
  (t) => [uniqueIndex('accounts_slug_uq').on(t.slug), index('accounts_email_idx').on(t.email)],
);

export const accountsRelations = relations(accounts, ({ many }) => ({
  members: many(members),
}));
