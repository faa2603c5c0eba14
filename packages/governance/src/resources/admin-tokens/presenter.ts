import type { AdminToken } from '@rungate/contracts';
import type { adminTokens } from '@rungate/db';
import { iso, isoRequired } from '../../time/dates.ts';

type AdminTokenRow = typeof adminTokens.$inferSelect;

export function toAdminToken(row: AdminTokenRow): AdminToken {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    scopes: row.scopes,
    token_prefix: row.tokenPrefix,
    account_id: row.accountId,
    status: row.status,
    expires_at: iso(row.expiresAt),
    last_used_at: iso(row.lastUsedAt),
    created_at: isoRequired(row.createdAt),
    updated_at: isoRequired(row.updatedAt),
  };
}
