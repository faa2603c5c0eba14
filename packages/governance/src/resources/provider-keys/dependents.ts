import { type ProviderKeyDependents, Uuid } from '@rungate/contracts';
import { agents, type Executor, providerKeys, runs } from '@rungate/db';
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { iso } from '../../time/dates.ts';
import { peerKeyIds, referencesKey } from './key-references.ts';
import type { ProviderKeyRow } from './presenter.ts';

/**
 * Narrows agents in SQL to those whose `provider_keys` name the key, either as a provider's
 * single key id or as a `key_id` in a weighted list. The caller re-checks each row with
 * `referencesKey`, which is the rule; this only keeps the scan in the database.
 */
const namesKey = (keyId: string) =>
  sql`jsonb_path_exists(${agents.providerKeys}, '$.* ? (@ == $id || @.key_id == $id)', jsonb_build_object('id', ${keyId}::text))`;

/** Agents of `orgId` that reference the key; locked for update when the caller will rewrite them. */
export async function agentsReferencingKey(
  executor: Executor,
  orgId: string,
  keyId: string,
  options: { lock?: boolean } = {},
) {
  const query = executor
    .select({ id: agents.id, name: agents.name, providerKeys: agents.providerKeys })
    .from(agents)
    .where(and(eq(agents.orgId, orgId), namesKey(keyId)))
    .orderBy(agents.name);
  const rows = options.lock ? await query.for('update') : await query;
  return rows.filter((agent) => referencesKey(agent.providerKeys, keyId));
}

/** Running runs, and runs started since `since`, of the given agents. */
async function runCounts(executor: Executor, orgId: string, agentIds: string[], since: Date) {
  if (agentIds.length === 0) return { active: 0, recent: 0 };
  const [row] = await executor
    .select({
      active: sql<number>`count(*) filter (where ${eq(runs.status, 'running')})`.mapWith(Number),
      recent: sql<number>`count(*) filter (where ${gte(runs.startedAt, since)})`.mapWith(Number),
    })
    .from(runs)
    .where(and(eq(runs.orgId, orgId), inArray(runs.agentId, agentIds)));
  return { active: row?.active ?? 0, recent: row?.recent ?? 0 };
}

/** Ids among `ids` that are active keys of the org. */
async function activeKeyIds(executor: Executor, orgId: string, ids: string[]): Promise<Set<string>> {
  const candidates = ids.filter((id) => Uuid.safeParse(id).success);
  if (candidates.length === 0) return new Set();
  const rows = await executor
    .select({ id: providerKeys.id })
    .from(providerKeys)
    .where(and(eq(providerKeys.orgId, orgId), inArray(providerKeys.id, candidates), eq(providerKeys.status, 'active')));
  return new Set(rows.map((row) => row.id));
}

/**
 * The agents naming the key, with their running runs and runs started since `since`. An
 * agent's key is its "only key for the provider" when no other active key shares its entry,
 * i.e. disabling or deleting this key would leave the agent without that provider.
 */
export async function describeDependents(
  executor: Executor,
  orgId: string,
  key: ProviderKeyRow,
  since: Date,
): Promise<ProviderKeyDependents['data']> {
  const dependents = await agentsReferencingKey(executor, orgId, key.id);
  const peers = dependents.map((agent) => peerKeyIds(agent.providerKeys, key.id));
  const activePeers = await activeKeyIds(executor, orgId, [...new Set(peers.flat())]);
  const counts = await runCounts(
    executor,
    orgId,
    dependents.map((agent) => agent.id),
    since,
  );
  return {
    agents: dependents.map((agent, i) => ({
      id: agent.id,
      name: agent.name,
      is_only_key_for_provider: !(peers[i] ?? []).some((peer) => activePeers.has(peer)),
    })),
    active_run_count: counts.active,
    runs_last_30_days: counts.recent,
    last_used_at: iso(key.lastUsedAt),
  };
}
