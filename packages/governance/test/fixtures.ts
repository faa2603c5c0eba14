import { randomUUID } from 'node:crypto';
import { accounts, agents, type Database, policies, runs } from '@rungate/db';
import { createTestDatabase, type TestDatabase } from '@rungate/db/testing';
import { afterAll, beforeAll } from 'vitest';

/**
 * The test file's private database (at the top level, or in a `describe` for its tests only):
 * opened before the first test, handed to `onOpen`, closed after the last.
 */
export function useTestDatabase(onOpen: (database: TestDatabase) => void): void {
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    onOpen(database);
  });
  afterAll(() => database?.close());
}

/** Minimal rows for domain tests that work below the services: an org, a policy, an agent, a run. */
export async function seedRun(db: Database, options: { budget?: Record<string, number | null> } = {}) {
  const [account] = await db
    .insert(accounts)
    .values({ name: 'Test', slug: `t-${randomUUID().slice(0, 8)}` })
    .returning();
  const [policy] = await db
    .insert(policies)
    .values({ orgId: account!.id, name: 'p', budget: options.budget ?? {} })
    .returning();
  const [agent] = await db
    .insert(agents)
    .values({ orgId: account!.id, name: 'a', apiKeyHash: randomUUID(), apiKeyPrefix: 'rg_sk_x', policyId: policy!.id })
    .returning();
  const [run] = await db
    .insert(runs)
    .values({ orgId: account!.id, agentId: agent!.id, policyId: policy!.id, creationMethod: 'implicit' })
    .returning();
  return { orgId: account!.id, policyId: policy!.id, agentId: agent!.id, runId: run!.id };
}
