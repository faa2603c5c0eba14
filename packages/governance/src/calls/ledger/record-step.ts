import { randomUUID } from 'node:crypto';
import type { AttemptFailureKind, FailoverContext, StepStatus, StepType, WebhookEventType } from '@rungate/contracts';
import type { Executor } from '@rungate/db';
import { sql } from 'drizzle-orm';
import { toStep } from '../../resources/runs/presenter.ts';
import { param, preparedStatement } from '../batching/prepared-statement.ts';
import type { TokenUsage } from '../pricing/usage.ts';

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
  /** The step's failure kind; a `failover_transition` takes its last attempt's, possibly `circuit_open`. */
  errorKind: AttemptFailureKind | null;
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
  /** The run's holds still in flight after this step released its own. */
  runReservedUsd: string;
  runReservedTokens: number;
}

const recordStepStatement = preparedStatement<{
  step_id: string;
  step_number: number;
  total_cost_usd: string;
  total_tokens: string | number;
  reserved_usd: string;
  reserved_tokens: string | number;
}>(
  'rungate_record_step',
  sql`
    WITH released AS (
      DELETE FROM budget_reservations WHERE id = ${param('reservation_id')}::uuid RETURNING amount_usd, tokens
    ), run AS (
      UPDATE runs SET
        reserved_usd = reserved_usd - coalesce((SELECT amount_usd FROM released), 0),
        reserved_tokens = reserved_tokens - coalesce((SELECT tokens FROM released), 0),
        step_count = step_count + 1,
        input_tokens = input_tokens + ${param('input')},
        output_tokens = output_tokens + ${param('output')},
        cache_read_tokens = cache_read_tokens + ${param('cache_read')},
        cache_creation_tokens = cache_creation_tokens + ${param('cache_creation')},
        total_tokens = total_tokens + ${param('tokens')},
        total_cost_usd = total_cost_usd + ${param('cost_usd')}::numeric,
        has_governance_block = has_governance_block OR ${param('governance_block')},
        had_failover = had_failover OR ${param('failover')},
        primary_model = CASE WHEN ${param('status')} = 'success' THEN coalesce(primary_model, ${param('model')}) ELSE primary_model END,
        last_step_at = ${param('now')},
        last_activity_at = ${param('now')},
        updated_at = ${param('now')}
      WHERE id = ${param('run_id')}::uuid
      RETURNING step_count, total_cost_usd, total_tokens, reserved_usd, reserved_tokens
    ), key_use AS (
      -- last_used_at is a hint: refreshed at most once a minute per key, so it costs no hot row.
      UPDATE provider_keys SET last_used_at = ${param('now')}
      WHERE id = ${param('provider_key_id')}::uuid AND ${param('succeeded')}
        AND (last_used_at IS NULL OR last_used_at < ${param('minute_ago')})
    ), step AS (
      INSERT INTO steps (id, org_id, run_id, agent_id, step_number, type, status, provider, model, provider_key_id, streaming,
        request, response, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, price_missing,
        latency_ms, routed_from, failover_attempts, failover_context, error_kind, error_message, created_at)
      SELECT ${param('id')}::uuid, ${param('org_id')}::uuid, ${param('run_id')}::uuid, ${param('agent_id')}::uuid,
        run.step_count, ${param('type')}, ${param('status')}, ${param('provider')}, ${param('model')},
        ${param('provider_key_id')}::uuid, ${param('streaming')}, ${param('request')}::jsonb, ${param('response')}::jsonb,
        ${param('input')}, ${param('output')}, ${param('cache_read')}, ${param('cache_creation')}, ${param('cost_usd')}::numeric, ${param('price_missing')},
        ${param('latency_ms')}, ${param('routed_from')}, ${param('failover_attempts')}, ${param('failover_context')}::jsonb,
        ${param('error_kind')}, ${param('error_message')}, ${param('now')}
      FROM run
      RETURNING id, step_number
    ), ledger AS (
      INSERT INTO ledger_entries (org_id, run_id, step_id, agent_id, provider, model, provider_key_id,
        input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, created_at)
      SELECT ${param('org_id')}::uuid, ${param('run_id')}::uuid, step.id, ${param('agent_id')}::uuid, ${param('provider')}, ${param('model')},
        ${param('provider_key_id')}::uuid, ${param('input')}, ${param('output')}, ${param('cache_read')}, ${param('cache_creation')},
        ${param('cost_usd')}::numeric, ${param('now')}
      FROM step WHERE ${param('charged')}
    ), spend AS (
      INSERT INTO agent_spend_minutes (agent_id, minute, cost_usd)
      SELECT ${param('agent_id')}::uuid, date_trunc('minute', ${param('now')}::timestamptz), ${param('cost_usd')}::numeric
      FROM step WHERE ${param('cost_usd')}::numeric > 0
      ON CONFLICT (agent_id, minute) DO UPDATE SET cost_usd = agent_spend_minutes.cost_usd + excluded.cost_usd
    ), event AS (
      -- Only when a live webhook of the org would receive it: the same rule as the fan-out,
      -- checked in this statement, so the outbox does not fill with events nobody reads.
      INSERT INTO events (org_id, agent_id, type, data, created_at)
      SELECT ${param('org_id')}::uuid, ${param('agent_id')}::uuid, ${param('event_type')}, ${param('event_data')}::jsonb, ${param('now')}
      FROM step
      WHERE EXISTS (
        SELECT 1 FROM webhooks w
        WHERE w.org_id = ${param('org_id')}::uuid AND w.status <> 'paused' AND ${param('event_type')} = ANY (w.events)
          AND (w.agent_id IS NULL OR w.agent_id = ${param('agent_id')}::uuid)
      )
    )
    SELECT step.id AS step_id, step.step_number, run.total_cost_usd, run.total_tokens, run.reserved_usd, run.reserved_tokens FROM step, run
  `,
);

const STEP_EVENTS = {
  success: 'step.completed',
  policy_blocked: 'step.policy_blocked',
  budget_blocked: 'step.budget_blocked',
  error: 'step.failed',
  timeout: 'step.failed',
} as const satisfies Record<StepStatus, WebhookEventType>;

export const stepEventType = (status: StepStatus): WebhookEventType => STEP_EVENTS[status];

/** The step as the API presents it, without request and response bodies (read the step for those). */
export function stepEventData(id: string, s: StepRecord) {
  const {
    request: _request,
    response: _response,
    ...step
  } = toStep({
    id,
    orgId: s.orgId,
    workspaceId: null,
    runId: s.runId,
    agentId: s.agentId,
    stepNumber: 0,
    type: s.type,
    status: s.status,
    provider: s.provider,
    model: s.model,
    providerKeyId: s.providerKeyId,
    streaming: s.streaming,
    request: null,
    response: null,
    inputTokens: s.usage.input,
    outputTokens: s.usage.output,
    cacheReadTokens: s.usage.cacheRead,
    cacheCreationTokens: s.usage.cacheCreation,
    costUsd: s.costUsd,
    priceMissing: s.priceMissing,
    latencyMs: Math.round(s.latencyMs),
    routedFrom: s.routedFrom,
    failoverAttempts: s.failoverAttempts,
    failoverContext: s.failoverContext,
    errorKind: s.errorKind,
    errorMessage: s.errorMessage,
    createdAt: s.now,
  });
  return { step, run_id: s.runId };
}

/**
 * A step as the step statements take it, column by column: its own fields, the tokens and flags
 * derived from them, and the step event. JSON values stay values; each statement encodes them.
 */
export function stepColumns(id: string, s: StepRecord) {
  const tokens = s.usage.input + s.usage.output + s.usage.cacheRead + s.usage.cacheCreation;
  return {
    id,
    org_id: s.orgId,
    run_id: s.runId,
    agent_id: s.agentId,
    reservation_id: s.reservationId,
    input: s.usage.input,
    output: s.usage.output,
    cache_read: s.usage.cacheRead,
    cache_creation: s.usage.cacheCreation,
    tokens,
    cost_usd: s.costUsd,
    /** Steps that consumed nothing get no ledger entry. */
    charged: tokens > 0 || Number(s.costUsd) > 0,
    governance_block: s.governanceBlock,
    failover: s.failoverAttempts > 0 || s.type === 'failover_transition',
    type: s.type,
    status: s.status,
    succeeded: s.status === 'success',
    provider: s.provider,
    model: s.model,
    provider_key_id: s.providerKeyId,
    streaming: s.streaming,
    request: s.request,
    response: s.response,
    price_missing: s.priceMissing,
    latency_ms: Math.round(s.latencyMs),
    routed_from: s.routedFrom,
    failover_attempts: s.failoverAttempts,
    failover_context: s.failoverContext,
    error_kind: s.errorKind,
    error_message: s.errorMessage,
    now: s.now,
    event_type: stepEventType(s.status),
    event_data: stepEventData(id, s),
  };
}

/**
 * Writes the step, its ledger entry, the run's totals and the agent's spend of the minute, and
 * releases the budget hold, in one statement: atomic on both drivers, one round trip on the hot
 * path, and the run totals (and the minutes' spend) can never drift from the sum of the ledger.
 * Steps that consumed nothing get no ledger entry.
 */
export async function recordStep(executor: Executor, s: StepRecord): Promise<RecordedStep> {
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
  const columns = stepColumns(s.id ?? randomUUID(), s);
  const rows = await recordStepStatement(executor, {
    ...columns,
    request: json(columns.request),
    response: json(columns.response),
    failover_context: json(columns.failover_context),
    event_data: json(columns.event_data),
    minute_ago: new Date(s.now.getTime() - 60_000),
  });
  const row = rows[0];
  if (!row) throw new Error(`run ${s.runId} not found while recording a step`);
  return {
    stepId: row.step_id,
    stepNumber: Number(row.step_number),
    runTotalCostUsd: String(row.total_cost_usd),
    runTotalTokens: Number(row.total_tokens),
    runReservedUsd: String(row.reserved_usd),
    runReservedTokens: Number(row.reserved_tokens),
  };
}
