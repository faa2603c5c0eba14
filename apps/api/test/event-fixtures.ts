import { adminTokens, events } from '@rungate/db';
import { and, eq, notInArray } from 'drizzle-orm';
import type { Harness, Tenant } from './harness.ts';

export type EventRow = typeof events.$inferSelect;

/** Runs `act` and returns the outbox rows it added, in every org, sorted by type. */
export async function eventsDuring(h: Harness, act: () => Promise<unknown>): Promise<EventRow[]> {
  const db = h.services.deps.db;
  const before = (await db.select({ id: events.id }).from(events)).map((row) => row.id);
  await act();
  const added = await db
    .select()
    .from(events)
    .where(before.length ? notInArray(events.id, before) : undefined);
  return added.sort((x, y) => x.type.localeCompare(y.type));
}

/** Id of one of the harness's seeded admin tokens, as events name it in `actor.token_id`. */
export async function seededTokenId(h: Harness, tenant: Tenant, scope: 'read' | 'write' | 'admin'): Promise<string> {
  const [row] = await h.services.deps.db
    .select({ id: adminTokens.id })
    .from(adminTokens)
    .where(and(eq(adminTokens.accountId, tenant.orgId), eq(adminTokens.name, `${scope}-token`)));
  return row!.id;
}
