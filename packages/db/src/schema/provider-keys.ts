import type { ProviderKeyStatus } from '@rungate/contracts';
import { relations, sql } from 'drizzle-orm';
import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { accounts } from './accounts.ts';
import { auditColumns, id, timestamps, tstz } from './columns.ts';
import { tenantColumns } from './tenant.ts';

/** Upstream LLM credentials. Deleting is a soft delete: status `deleted`, secret scrubbed. */
export const providerKeys = pgTable(
  'provider_keys',
  {
    id: id(),
    ...tenantColumns(),
    /** Provider identifier (`openai`, `anthropic`, `groq`, ...), as named in routing chains. */
    provider: text().notNull(),
    name: text().notNull(),
    /** AES-256-GCM ciphertext of the API key; null once deleted. */
    apiKeyEncrypted: text(),
    /** Last 4 characters of the plaintext, for the masked form. */
    apiKeyLast4: text(),
    /** SDK-style base URL (OpenAI-compatible ones include `/v1`); null = provider default. */
    baseUrl: text(),
    status: text().$type<ProviderKeyStatus>().notNull().default('active'),
    lastUsedAt: tstz(),
    rotatedAt: tstz(),
    deletedAt: tstz(),
    ...auditColumns(),
    ...timestamps(),
  },
  (t) => [
    // Deleted keys keep their row (and name) for audit, so the name is free again.
    uniqueIndex('provider_keys_org_id_name_uq').on(t.orgId, t.name).where(sql`${t.status} <> 'deleted'`),
    index('provider_keys_org_id_provider_idx').on(t.orgId, t.provider),
  ],
);

export const providerKeysRelations = relations(providerKeys, ({ one }) => ({
  account: one(accounts, { fields: [providerKeys.orgId], references: [accounts.id] }),
}));
