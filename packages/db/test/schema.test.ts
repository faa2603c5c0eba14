import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accounts,
  agents,
  type Database,
  ledgerEntries,
  policies,
  policyVersions,
  priceOverrides,
  providerKeys,
  runs,
  steps,
} from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

async function seed(db: Database, slug: string) {
  const [account] = await db.insert(accounts).values({ slug, name: slug }).returning();
  const orgId = account!.id;
  const [policy] = await db
    .insert(policies)
    .values({
      orgId,
      name: 'default',
      budget: { hard_limit_usd: 5, on_alert_threshold: 'stop_and_alert' },
      routing: {
        default_chain: ['openai', 'anthropic'],
        model_routes: [{ pattern: 'claude-*', chain: ['anthropic'] }],
      },
      allowedModels: ['gpt-4o', 'claude-*'],
    })
    .returning();
  const [agent] = await db
    .insert(agents)
    .values({
      orgId,
      name: 'bot',
      apiKeyHash: `hash-${slug}`,
      apiKeyPrefix: 'rg_sk_abcd',
      policyId: policy!.id,
      providerKeys: { openai: 'k1', anthropic: [{ key_id: 'k2', weight: 3 }] },
    })
    .returning();
  return { orgId, policy: policy!, agent: agent! };
}

describe(`schema on ${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}`, () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.close());

  it('uses the driver the environment selects', () => {
    expect(t.driver).toBe(process.env.DATABASE_URL ? 'pg' : 'pglite');
  });

  it('round-trips a run with a step and its ledger entry, with exact money', async () => {
    const { orgId, policy, agent } = await seed(t.db, 'acme');
    expect(policy).toMatchObject({
      dryRun: false,
      contentLogging: 'default',
      approvalExpiryMs: 28_800_000,
      budget: { hard_limit_usd: 5, on_alert_threshold: 'stop_and_alert' },
      allowedModels: ['gpt-4o', 'claude-*'],
      blockedTools: [],
      outcomeDefaults: null,
      deletedAt: null,
    });
    expect(agent.providerKeys).toEqual({ openai: 'k1', anthropic: [{ key_id: 'k2', weight: 3 }] });

    const [run] = await t.db
      .insert(runs)
      .values({
        orgId,
        agentId: agent.id,
        policyId: policy.id,
        creationMethod: 'implicit',
        metadata: { job: 'nightly' },
      })
      .returning();
    const [step] = await t.db
      .insert(steps)
      .values({
        orgId,
        runId: run!.id,
        agentId: agent.id,
        stepNumber: 1,
        type: 'llm_call',
        provider: 'openai',
        model: 'gpt-4o',
        status: 'success',
        inputTokens: 3_000_000_000,
        outputTokens: 20,
        costUsd: '0.0000123456',
      })
      .returning();
    await t.db.insert(ledgerEntries).values({
      orgId,
      runId: run!.id,
      stepId: step!.id,
      agentId: agent.id,
      provider: 'openai',
      model: 'gpt-4o',
      inputTokens: 3_000_000_000,
      outputTokens: 20,
      costUsd: '0.0000123456',
    });
    // Totals accumulate in SQL, where numeric addition is exact.
    for (let i = 0; i < 3; i++) {
      await t.db
        .update(runs)
        .set({ totalCostUsd: sql`${runs.totalCostUsd} + ${'0.1'}`, stepCount: sql`${runs.stepCount} + 1` })
        .where(eq(runs.id, run!.id));
    }

    const loaded = await t.db.query.runs.findFirst({
      where: eq(runs.id, run!.id),
      with: { agent: true, steps: true, ledgerEntries: true },
    });
    expect(loaded).toMatchObject({
      status: 'running',
      totalCostUsd: '0.3000000000',
      stepCount: 3,
      metadata: { job: 'nightly' },
      agent: { name: 'bot' },
      steps: [{ stepNumber: 1, inputTokens: 3_000_000_000, costUsd: '0.0000123456' }],
      ledgerEntries: [{ outputTokens: 20, costUsd: '0.0000123456' }],
    });
    expect(loaded!.startedAt).toBeInstanceOf(Date);
  });

  it('frees a provider key name once the key is soft-deleted', async () => {
    const { orgId } = await seed(t.db, 'keys');
    const key = { orgId, provider: 'openai', name: 'main', apiKeyEncrypted: 'x', apiKeyLast4: 'abcd' };
    const [first] = await t.db.insert(providerKeys).values(key).returning();
    await expect(t.db.insert(providerKeys).values(key)).rejects.toThrow();
    await t.db
      .update(providerKeys)
      .set({ status: 'deleted', apiKeyEncrypted: null })
      .where(eq(providerKeys.id, first!.id));
    await t.db.insert(providerKeys).values(key);
  });

  it('keeps policy versions after the policy row is gone', async () => {
    const { orgId } = await seed(t.db, 'versions');
    const [policy] = await t.db.insert(policies).values({ orgId, name: 'temp' }).returning();
    await t.db.insert(policyVersions).values({
      orgId,
      policyId: policy!.id,
      versionNumber: 1,
      snapshot: { name: 'temp' },
      changedFields: ['name'],
      changedBy: 'system',
      changeType: 'create',
    });
    await t.db.delete(policies).where(eq(policies.id, policy!.id));
    const versions = await t.db.select().from(policyVersions).where(eq(policyVersions.policyId, policy!.id));
    expect(versions).toMatchObject([{ versionNumber: 1, changeType: 'create', changedFields: ['name'] }]);
  });

  it('treats a null provider as one value in price override uniqueness', async () => {
    const row = { modelPattern: 'my-llama-*', inputPerMillion: '0.5', outputPerMillion: '1.5' };
    await t.db.insert(priceOverrides).values(row);
    await expect(t.db.insert(priceOverrides).values(row)).rejects.toThrow();
    const [found] = await t.db
      .select()
      .from(priceOverrides)
      .where(and(eq(priceOverrides.modelPattern, 'my-llama-*')));
    expect(found).toMatchObject({ inputPerMillion: '0.5000000000', provider: null, orgId: null });
  });
});
