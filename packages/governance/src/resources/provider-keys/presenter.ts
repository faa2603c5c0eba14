import type { ProviderKey } from '@rungate/contracts';
import type { providerKeys } from '@rungate/db';
import { iso, isoRequired } from '../../time/dates.ts';
import { maskApiKey } from './mask.ts';

export type ProviderKeyRow = typeof providerKeys.$inferSelect;

/** The row as the API shows it: the secret only ever in masked form. */
export function toProviderKey(row: ProviderKeyRow): ProviderKey {
  return {
    id: row.id,
    org_id: row.orgId,
    workspace_id: row.workspaceId,
    provider: row.provider,
    name: row.name,
    api_key: maskApiKey(row.apiKeyEncrypted !== null, row.apiKeyLast4),
    base_url: row.baseUrl,
    status: row.status,
    last_used_at: iso(row.lastUsedAt),
    created_at: isoRequired(row.createdAt),
    updated_at: isoRequired(row.updatedAt),
    rotated_at: iso(row.rotatedAt),
  };
}
