import { type Executor, queryRows } from '@rungate/db';
import type { FailoverContext, FailureKind, StepStatus, StepType } from '@rungate/db/schema';
import { sql } from 'drizzle-orm';

export interface TokenUsage {
  /** Input tokens not read from or written to a cache. */
  input: number;
  output: number;
  cacheRead: number;
  cacheCreation: number;
}

export const NO_USAGE: TokenUsage = { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 };

export const totalTokens = (u: TokenUsage) => u.input + u.output + u.cacheRead + u.cacheCreation;

export interface StepRecord {
  /** Chosen up front when the caller must name the step before it is written (streaming headers). */
  id?: string;
  orgId: string;
  runId: string;
  agentId: string;
  type: StepType;
  status: StepStatus;
  provider: string;
  model: string;
  providerKeyId: string | null;
  streaming: boolean;
  request: Record<string, unknown> | null;
  response: Record<string, unknown> | null;
  usage: TokenUsage;
  /** Exact decimal string, e.g. "0.0001250000". */
  costUsd: string;
  priceMissing: boolean;
  latencyMs: number;
  routedFrom: string | null;
  failoverAttempts: number;
  failoverContext: FailoverContext | null;
  errorKind: FailureKind | null;
  errorMessage: string | null;
  /** Blocked by governance: flags the run. */
  governanceBlock: boolean;
  /** The budget hold this step settles, released in the same statement. */
  reservationId: string | null;
  now: Date;
}

export interface RecordedStep {
  stepId: string;
  stepNumber: number;
  runTotalCostUsd: string;
  runTotalTokens: number;
}

/**
 * Writes the step, its ledger entry and the run's totals, and releases the budget hold, in one
 * statement: atomic on both drivers, one round trip on the hot path, and the run totals can
 * never drift from the sum of the ledger. Steps that consumed nothing get no ledger entry.
 */
export async function recordStep(executor: Executor, s: StepRecord): Promise<RecordedStep> {
  const tokens = s.usage.input + s.usage.output + s.usage.cacheRead + s.usage.cacheCreation;
  const charged = tokens > 0 || Number(s.costUsd) > 0;
  const failover = s.failoverAttempts > 0 || s.type === 'failover_transition';
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
  const rows = await queryRows<{ step_id: string; step_number: number; total_cost_usd: string; total_tokens: string | number }>(executor, sql`
    WITH released AS (
      DELETE FROM budget_reservations WHERE id = ${s.reservationId}::uuid
    ), run AS (
      UPDATE runs SET
        step_count = step_count + 1,
        input_tokens = input_tokens + ${s.usage.input},
        output_tokens = output_tokens + ${s.usage.output},
        cache_read_tokens = cache_read_tokens + ${s.usage.cacheRead},
        cache_creation_tokens = cache_creation_tokens + ${s.usage.cacheCreation},
        total_tokens = total_tokens + ${tokens},
        total_cost_usd = total_cost_usd + ${s.costUsd}::numeric,
        has_governance_block = has_governance_block OR ${s.governanceBlock},
        had_failover = had_failover OR ${failover},
        primary_model = CASE WHEN ${s.status} = 'success' THEN coalesce(primary_model, ${s.model}) ELSE primary_model END,
        last_step_at = ${s.now},
        last_activity_at = ${s.now},
        updated_at = ${s.now}
      WHERE id = ${s.runId}::uuid
      RETURNING step_count, total_cost_usd, total_tokens
    ), key_use AS (
      -- last_used_at is a hint: refreshed at most once a minute per key, so it costs no hot row.
      UPDATE provider_keys SET last_used_at = ${s.now}
      WHERE id = ${s.providerKeyId}::uuid AND ${s.status === 'success'}
        AND (last_used_at IS NULL OR last_used_at < ${new Date(s.now.getTime() - 60_000)})
    ), step AS (
      INSERT INTO steps (id, org_id, run_id, agent_id, step_number, type, status, provider, model, provider_key_id, streaming,
        request, response, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, price_missing,
        latency_ms, routed_from, failover_attempts, failover_context, error_kind, error_message, created_at)
      SELECT coalesce(${s.id ?? null}::uuid, gen_random_uuid()), ${s.orgId}::uuid, ${s.runId}::uuid, ${s.agentId}::uuid, run.step_count, ${s.type}, ${s.status}, ${s.provider}, ${s.model},
        ${s.providerKeyId}::uuid, ${s.streaming}, ${json(s.request)}::jsonb, ${json(s.response)}::jsonb,
        ${s.usage.input}, ${s.usage.output}, ${s.usage.cacheRead}, ${s.usage.cacheCreation}, ${s.costUsd}::numeric, ${s.priceMissing},
        ${Math.round(s.latencyMs)}, ${s.routedFrom}, ${s.failoverAttempts}, ${json(s.failoverContext)}::jsonb, ${s.errorKind}, ${s.errorMessage}, ${s.now}
      FROM run
      RETURNING id, step_number
    ), ledger AS (
      INSERT INTO ledger_entries (org_id, run_id, step_id, agent_id, provider, model, provider_key_id,
        input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, created_at)
      SELECT ${s.orgId}::uuid, ${s.runId}::uuid, step.id, ${s.agentId}::uuid, ${s.provider}, ${s.model}, ${s.providerKeyId}::uuid,
        ${s.usage.input}, ${s.usage.output}, ${s.usage.cacheRead}, ${s.usage.cacheCreation}, ${s.costUsd}::numeric, ${s.now}
      FROM step WHERE ${charged}
    )
    SELECT step.id AS step_id, step.step_number, run.total_cost_usd, run.total_tokens FROM step, run
  `);
  const row = rows[0];
  if (!row) throw new Error(`run ${s.runId} not found while recording a step`);
  return { stepId: row.step_id, stepNumber: Number(row.step_number), runTotalCostUsd: String(row.total_cost_usd), runTotalTokens: Number(row.total_tokens) };
}
