import { randomUUID } from 'node:crypto';
import { accounts, agents, type Database, policies, runs } from '@rungate/db';
import type { StepRecord } from '../src/ledger/record-step.ts';

/** Minimal rows for domain tests that work below the services: an org, a policy, an agent, a run. */
export async function seedRun(db: Database, options: { budget?: Record<string, number | null> } = {}) {
  const [account] = await db.insert(accounts).values({ name: 'Test', slug: `t-${randomUUID().slice(0, 8)}` }).returning();
  const [policy] = await db.insert(policies).values({ orgId: account!.id, name: 'p', budget: options.budget ?? {} }).returning();
  const [agent] = await db
    .insert(agents)
    .values({ orgId: account!.id, name: 'a', apiKeyHash: randomUUID(), apiKeyPrefix: 'rg_sk_x', policyId: policy!.id })
    .returning();
  const [run] = await db.insert(runs).values({ orgId: account!.id, agentId: agent!.id, policyId: policy!.id, creationMethod: 'implicit' }).returning();
  return { orgId: account!.id, policyId: policy!.id, agentId: agent!.id, runId: run!.id };
}

/** A successful gpt-4o-mini step of the seeded run (135 input and output tokens, 10 cached). */
export function stepRecord(ids: { orgId: string; runId: string; agentId: string }, now: Date, overrides: Partial<StepRecord> = {}): StepRecord {
  return {
    ...ids,
    type: 'llm_call',
    status: 'success',
    provider: 'openai',
    model: 'gpt-4o-mini',
    providerKeyId: null,
    streaming: false,
    request: null,
    response: null,
    usage: { input: 100, output: 50, cacheRead: 10, cacheCreation: 0 },
    costUsd: '0.0000465000',
    priceMissing: false,
    latencyMs: 12,
    routedFrom: null,
    failoverAttempts: 0,
    failoverContext: null,
    errorKind: null,
    errorMessage: null,
    governanceBlock: false,
    reservationId: null,
    now,
    ...overrides,
  };
}
