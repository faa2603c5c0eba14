import type { ProviderKeyHealth } from '@rungate/contracts';
import { providerKeys } from '@rungate/db';
import { eq } from 'drizzle-orm';
import type { AuthContext } from '../../auth/context.ts';
import { type BreakerStore, toProviderKeyHealth } from '../../calls/routing/index.ts';
import type { ServiceDeps } from '../../deps.ts';

/** `GET /api/providers/health`: the circuit of every tracked key of the caller's org. */
export function createProviderHealthService({ db, clock }: ServiceDeps, breakers: BreakerStore) {
  return {
    async list(ctx: AuthContext): Promise<ProviderKeyHealth[]> {
      const [owned, tracked] = await Promise.all([
        db.select({ id: providerKeys.id }).from(providerKeys).where(eq(providerKeys.orgId, ctx.orgId)),
        breakers.snapshot(clock.now().getTime()),
      ]);
      const ids = new Set(owned.map((row) => row.id));
      return tracked.filter((entry) => ids.has(entry.keyId)).map(toProviderKeyHealth);
    },
  };
}

export type ProviderHealthService = ReturnType<typeof createProviderHealthService>;
