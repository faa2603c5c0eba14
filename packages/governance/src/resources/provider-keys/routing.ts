import { Uuid } from '@rungate/contracts';
import { type Database, providerKeys } from '@rungate/db';
import { and, eq, inArray } from 'drizzle-orm';
import type { SecretBox } from '../../secrets/crypto.ts';
import type { ProviderKeyRow } from './presenter.ts';

/** A key the proxy can call with: decrypted, active only. */
export interface RoutableProviderKey {
  id: string;
  provider: string;
  baseUrl: string | null;
  apiKey: string;
  status: ProviderKeyRow['status'];
}

/**
 * The active keys of `orgId` among `keyIds`, decrypted, in the order asked (duplicates once).
 * Disabled, deleted and other orgs' keys are left out; ids that are not uuids (hand-edited
 * `provider_keys` jsonb) are skipped rather than sent to the database.
 */
export async function resolveForRouting(
  db: Database,
  secretBox: SecretBox,
  orgId: string,
  keyIds: readonly string[],
): Promise<RoutableProviderKey[]> {
  const ids = [...new Set(keyIds)].filter((id) => Uuid.safeParse(id).success);
  if (ids.length === 0) return [];
  const rows = await db
    .select()
    .from(providerKeys)
    .where(and(eq(providerKeys.orgId, orgId), inArray(providerKeys.id, ids), eq(providerKeys.status, 'active')));
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => {
    const row = byId.get(id);
    if (!row?.apiKeyEncrypted) return [];
    return [
      {
        id: row.id,
        provider: row.provider,
        baseUrl: row.baseUrl,
        apiKey: secretBox.decrypt(row.apiKeyEncrypted),
        status: row.status,
      },
    ];
  });
}
