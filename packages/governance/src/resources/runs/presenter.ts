import type { LedgerEntry, Run, RunCompletionResponse, Step } from '@rungate/contracts';
import type { ledgerEntries, runs, steps } from '@rungate/db';
import { iso, isoRequired } from '../../time/dates.ts';

type RunRow = typeof runs.$inferSelect;
type StepRow = typeof steps.$inferSelect;
type LedgerRow = typeof ledgerEntries.$inferSelect;
type Buckets = Pick<RunRow, 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheCreationTokens'>;

const tokenCounts = (row: Buckets) => ({
  input: row.inputTokens,
  output: row.outputTokens,
  cache_read: row.cacheReadTokens,
  cache_creation: row.cacheCreationTokens,
});

const tokenTotals = (row: Buckets & { totalTokens: number }) => ({ ...tokenCounts(row), total: row.totalTokens });

/** The policy name as frozen into the run when it started. */
function policyNameOf(row: Pick<RunRow, 'policySnapshot'>): string | null {
  const name = row.policySnapshot.name;
  return typeof name === 'string' ? name : null;
}

/** `agentName` comes from a join; it is left out when the caller did not load it. */
export function toRun(row: RunRow, agentName?: string): Run {
  return {
    id: row.id,
    agent_id: row.agentId,
    org_id: row.orgId,
    ...(agentName === undefined ? {} : { agent_name: agentName }),
    name: row.name,
    ...(row.primaryModel === null ? {} : { primary_model: row.primaryModel }),
    status: row.status,
    creation_method: row.creationMethod,
    ended_reason: row.endedReason,
    completion_reason: row.completionReason,
    budget: row.budget,
    alert_threshold_exceeded: row.alertThresholdExceeded,
    alert_sent_at: iso(row.alertSentAt),
    tokens_used: tokenTotals(row),
    cost_usd: Number(row.totalCostUsd),
    policy_name: policyNameOf(row),
    policy_snapshot: row.policySnapshot,
    step_count: row.stepCount,
    last_step_at: iso(row.lastStepAt),
    started_at: isoRequired(row.startedAt),
    ended_at: iso(row.endedAt),
    force_stop_lifted_at: iso(row.forceStopLiftedAt),
    has_governance_block: row.hasGovernanceBlock,
    outcome: row.outcome,
    outcome_reason: row.outcomeReason,
    metadata: row.metadata,
  };
}

export function toStep(row: StepRow): Step {
  return {
    id: row.id,
    run_id: row.runId,
    type: row.type,
    provider: row.provider,
    model: row.model,
    ...(row.providerKeyId === null ? {} : { provider_key_id: row.providerKeyId }),
    streaming: row.streaming,
    ...(row.request === null ? {} : { request: row.request }),
    ...(row.response === null ? {} : { response: row.response }),
    tokens: tokenCounts(row),
    cost_usd: Number(row.costUsd),
    latency_ms: row.latencyMs,
    routed_from: row.routedFrom,
    failover_attempts: row.failoverAttempts,
    status: row.status,
    error_message: row.errorMessage,
    created_at: isoRequired(row.createdAt),
    ...(row.type === 'failover_transition'
      ? { failover_context: (row.failoverContext as Step['failover_context']) ?? null }
      : {}),
  };
}

export function toLedgerEntry(row: LedgerRow): LedgerEntry {
  return {
    id: row.id,
    run_id: row.runId,
    step_id: row.stepId,
    agent_id: row.agentId,
    provider: row.provider,
    model: row.model,
    ...(row.providerKeyId === null ? {} : { provider_key_id: row.providerKeyId }),
    tokens: tokenCounts(row),
    cost_usd: Number(row.costUsd),
    created_at: isoRequired(row.createdAt),
  };
}

/** The summary an agent or operator gets back when a run ends. */
export function toRunCompletion(
  row: RunRow,
  governanceEvents: { type: string; count: number }[],
): RunCompletionResponse['data'] {
  const endedAt = row.endedAt ?? row.updatedAt;
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    ended_at: isoRequired(endedAt),
    ended_reason: row.endedReason ?? '',
    completion_reason: row.completionReason ?? 'explicit',
    outcome: row.outcome,
    outcome_reason: row.outcomeReason,
    step_count: row.stepCount,
    cost_usd: Number(row.totalCostUsd),
    tokens_used: tokenTotals(row),
    duration_ms: endedAt.getTime() - row.startedAt.getTime(),
    policy_name: policyNameOf(row),
    primary_model: row.primaryModel,
    governance_events: governanceEvents,
    limits_hit: governanceEvents.length > 0,
  };
}
