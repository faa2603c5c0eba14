import { type AgentProviderKeys, Uuid } from '@rungate/contracts';
import { type Executor, providerKeys } from '@rungate/db';
import { and, eq, inArray } from 'drizzle-orm';

type FieldErrors = Record<string, string>;

/** Each key id of a binding with the field path an error about it is reported under. */
export function bindingRefs(bindings: AgentProviderKeys): { provider: string; keyId: string; field: string }[] {
  return Object.entries(bindings).flatMap(([provider, binding]) =>
    typeof binding === 'string'
      ? [{ provider, keyId: binding, field: `provider_keys.${provider}` }]
      : binding.map((entry, i) => ({ provider, keyId: entry.key_id, field: `provider_keys.${provider}.${i}.key_id` })),
  );
}

/** Shape problems found without the database: empty weighted lists and keys listed twice. */
export function bindingShapeErrors(bindings: AgentProviderKeys): FieldErrors {
  const errors: FieldErrors = {};
  for (const [provider, binding] of Object.entries(bindings)) {
    if (Array.isArray(binding) && binding.length === 0) errors[`provider_keys.${provider}`] = 'List at least one key';
    const seen = new Set<string>();
    for (const [i, entry] of (Array.isArray(binding) ? binding : []).entries()) {
      if (seen.has(entry.key_id)) errors[`provider_keys.${provider}.${i}.key_id`] = 'Key listed twice';
      seen.add(entry.key_id);
    }
  }
  return errors;
}

/**
 * Every bound key must be a live key of this org for the provider it is bound under: the map
 * key is the provider identifier routing chains name (docs/decisions.md), so a mismatch would route
 * one provider's traffic with another provider's credential.
 */
export async function checkProviderBindings(
  executor: Executor,
  orgId: string,
  bindings: AgentProviderKeys,
): Promise<FieldErrors> {
  const errors = bindingShapeErrors(bindings);
  const refs = bindingRefs(bindings);
  const ids = [...new Set(refs.map((r) => r.keyId).filter((id) => Uuid.safeParse(id).success))];
  const rows = ids.length
    ? await executor
        .select({ id: providerKeys.id, provider: providerKeys.provider, status: providerKeys.status })
        .from(providerKeys)
        .where(and(eq(providerKeys.orgId, orgId), inArray(providerKeys.id, ids)))
    : [];
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const { provider, keyId, field } of refs) {
    const key = byId.get(keyId);
    if (!key || key.status === 'deleted') errors[field] ??= `Provider key '${keyId}' not found`;
    else if (key.provider !== provider)
      errors[field] ??= `Provider key '${keyId}' is a '${key.provider}' key, not '${provider}'`;
  }
  return errors;
}
