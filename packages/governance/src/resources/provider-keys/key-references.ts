import type { AgentProviderKeys } from '@rungate/db';

/**
 * How agents name provider keys: `provider_keys` maps a provider identifier to one key id or to
 * weighted key ids. These functions read and rewrite that jsonb without trusting its shape.
 */
type Entry = AgentProviderKeys[string];
type Weighted = { key_id: string; weight: number };

/** Key ids one provider entry names. */
export function entryKeyIds(entry: Entry): string[] {
  if (typeof entry === 'string') return [entry];
  if (!Array.isArray(entry)) return [];
  return entry.flatMap((item) => (typeof item?.key_id === 'string' ? [item.key_id] : []));
}

export function referencesKey(map: AgentProviderKeys, keyId: string): boolean {
  return Object.values(map ?? {}).some((entry) => entryKeyIds(entry).includes(keyId));
}

/** Every key id listed alongside `keyId` in the entries that name it (its load-balancing peers). */
export function peerKeyIds(map: AgentProviderKeys, keyId: string): string[] {
  const peers = new Set<string>();
  for (const entry of Object.values(map ?? {})) {
    const ids = entryKeyIds(entry);
    if (ids.includes(keyId)) for (const id of ids) if (id !== keyId) peers.add(id);
  }
  return [...peers];
}

/**
 * Points every reference to `from` at `to`. In a weighted list that already names `to`, the
 * weights are added, so the list keeps one row per key and the traffic split stays the same.
 */
export function remapKey(map: AgentProviderKeys, from: string, to: string): AgentProviderKeys {
  return Object.fromEntries(
    Object.entries(map ?? {}).map(([provider, entry]) => [provider, remapEntry(entry, from, to)]),
  );
}

function remapEntry(entry: Entry, from: string, to: string): Entry {
  if (typeof entry === 'string') return entry === from ? to : entry;
  if (!Array.isArray(entry) || !entryKeyIds(entry).includes(from)) return entry;
  const out: Weighted[] = [];
  for (const item of entry) {
    const keyId = item.key_id === from ? to : item.key_id;
    const target = keyId === to ? out.find((o) => o.key_id === to) : undefined;
    if (target) target.weight += item.weight;
    else out.push({ ...item, key_id: keyId });
  }
  return out;
}
