import { randomUUID } from 'node:crypto';
import { agents, approvalRequests, type Database, ledgerEntries, policies, runs, steps } from '@rungate/db';

/**
 * Rows written straight into the database, so run and approval tests do not depend on the
 * agent and policy services; the proxy writes these rows in production.
 */
export async function seedAgent(
  db: Database,
  orgId: string,
  name: string,
  policySnapshot: Record<string, unknown> = {},
) {
  const [policy] = await db
    .insert(policies)
    .values({ orgId, name: `${name}-policy` })
    .returning();
  const [agent] = await db
    .insert(agents)
    .values({ orgId, name, apiKeyHash: randomUUID(), apiKeyPrefix: 'rg_sk_test', policyId: policy!.id })
    .returning();
  return { agent: agent!, policy: policy!, snapshot: { name: policy!.name, ...policySnapshot } };
}

type RunValues = Partial<typeof runs.$inferInsert>;

export async function seedRun(db: Database, owner: Awaited<ReturnType<typeof seedAgent>>, values: RunValues = {}) {
  const [run] = await db
    .insert(runs)
    .values({
      orgId: owner.agent.orgId,
      agentId: owner.agent.id,
      policyId: owner.policy.id,
      creationMethod: 'implicit',
      policySnapshot: owner.snapshot,
      ...values,
    })
    .returning();
  return run!;
}

type StepValues = Partial<typeof steps.$inferInsert> & Pick<typeof steps.$inferInsert, 'stepNumber'>;

/** A step and, for billed steps, its ledger entry. */
export async function seedStep(db: Database, run: typeof runs.$inferSelect, values: StepValues, createdAt: Date) {
  const [step] = await db
    .insert(steps)
    .values({
      orgId: run.orgId,
      runId: run.id,
      agentId: run.agentId,
      type: 'llm_call',
      provider: 'openai',
      model: 'gpt-4o',
      status: 'success',
      createdAt,
      ...values,
    })
    .returning();
  if (step!.status === 'success') {
    await db.insert(ledgerEntries).values({
      orgId: run.orgId,
      runId: run.id,
      stepId: step!.id,
      agentId: run.agentId,
      provider: step!.provider,
      model: step!.model,
      inputTokens: step!.inputTokens,
      outputTokens: step!.outputTokens,
      cacheReadTokens: step!.cacheReadTokens,
      cacheCreationTokens: step!.cacheCreationTokens,
      costUsd: step!.costUsd,
      createdAt,
    });
  }
  return step!;
}

export async function seedApproval(
  db: Database,
  run: typeof runs.$inferSelect,
  values: Partial<typeof approvalRequests.$inferInsert> &
    Pick<typeof approvalRequests.$inferInsert, 'expiresAt' | 'createdAt'>,
) {
  const [row] = await db
    .insert(approvalRequests)
    .values({
      orgId: run.orgId,
      runId: run.id,
      agentId: run.agentId,
      policyId: run.policyId!,
      toolName: 'deploy',
      requestSnapshot: { model: 'gpt-4o' },
      ...values,
    })
    .returning();
  return row!;
}
