import { policies } from '@rungate/db';
import { and, eq, isNull } from 'drizzle-orm';
import { TtlCache } from '../config-cache/ttl-cache.ts';
import type { ServiceDeps } from '../deps.ts';
import { type PolicyView, toPolicy } from '../resources/policies/presenter.ts';

/** Live policies by id or name for the proxy, cached like agents (see TtlCache). */
export function createPolicyLookup({ db, clock, configGeneration }: ServiceDeps) {
  const cache = new TtlCache<string, PolicyView | null>({
    ttlMs: 5_000,
    clock,
    generation: () => configGeneration.value,
  });
  return (orgId: string, by: { id: string } | { name: string }): Promise<PolicyView | null> => {
    const key = 'id' in by ? `${orgId}:id:${by.id}` : `${orgId}:name:${by.name}`;
    return cache.get(key, async () => {
      const match = 'id' in by ? eq(policies.id, by.id) : eq(policies.name, by.name);
      const [row] = await db
        .select()
        .from(policies)
        .where(and(match, eq(policies.orgId, orgId), isNull(policies.deletedAt)));
      return row ? toPolicy(row) : null;
    });
  };
}

export type PolicyLookup = ReturnType<typeof createPolicyLookup>;
