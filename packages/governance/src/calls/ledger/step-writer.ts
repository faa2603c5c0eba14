import { randomUUID } from 'node:crypto';
import type { Database } from '@rungate/db';
import { sql } from 'drizzle-orm';
import { naturalBatches } from '../batching/natural-batches.ts';
import { param, preparedStatement } from '../batching/prepared-statement.ts';
import { type RecordedStep, recordStep, type StepRecord, stepColumns } from './record-step.ts';

type BatchRow = {
  step_id: string;
  step_number: number | string;
  run_cost_usd: string;
  run_tokens: number | string;
  run_reserved_usd: string;
  run_reserved_tokens: number | string;
};

/**
 * Many steps in one statement: the single-step statement of `recordStep`, over a JSON array of
 * steps. Runs named more than once get consecutive step numbers in array order; each run's
 * totals move once by the sum of its steps, so they still equal the sum of its ledger.
 */
const recordStepsStatement = preparedStatement<BatchRow>(
  'rungate_record_steps',
  sql`
  WITH input AS (
    SELECT * FROM jsonb_to_recordset(${param('batch')}::jsonb) AS i(
      ord int, id uuid, org_id uuid, run_id uuid, agent_id uuid, reservation_id uuid,
      input bigint, output bigint, cache_read bigint, cache_creation bigint, tokens bigint, cost_usd numeric,
      charged boolean, governance_block boolean, failover boolean, type text, status text, succeeded boolean,
      provider text, model text, provider_key_id uuid, streaming boolean, request jsonb, response jsonb,
      price_missing boolean, latency_ms int, routed_from text, failover_attempts int, failover_context jsonb,
      error_kind text, error_message text, now timestamptz, event_type text, event_data jsonb)
  ), released AS (
    DELETE FROM budget_reservations b USING input i WHERE b.id = i.reservation_id RETURNING b.run_id, b.amount_usd, b.tokens
  ), given_back AS (
    SELECT run_id, sum(amount_usd) AS usd, sum(tokens) AS tokens FROM released GROUP BY run_id
  ), per_run AS (
    SELECT run_id, count(*)::int AS n, sum(input) AS input, sum(output) AS output, sum(cache_read) AS cache_read,
      sum(cache_creation) AS cache_creation, sum(tokens) AS tokens, sum(cost_usd) AS cost_usd,
      bool_or(governance_block) AS governance_block, bool_or(failover) AS failover,
      (array_agg(model ORDER BY ord) FILTER (WHERE status = 'success'))[1] AS success_model, max(now) AS now
    FROM input GROUP BY run_id
  ), run AS (
    UPDATE runs SET
      reserved_usd = runs.reserved_usd - coalesce(g.usd, 0),
      reserved_tokens = runs.reserved_tokens - coalesce(g.tokens, 0),
      step_count = runs.step_count + p.n,
      input_tokens = runs.input_tokens + p.input,
      output_tokens = runs.output_tokens + p.output,
      cache_read_tokens = runs.cache_read_tokens + p.cache_read,
      cache_creation_tokens = runs.cache_creation_tokens + p.cache_creation,
      total_tokens = runs.total_tokens + p.tokens,
      total_cost_usd = runs.total_cost_usd + p.cost_usd,
      has_governance_block = runs.has_governance_block OR p.governance_block,
      had_failover = runs.had_failover OR p.failover,
      primary_model = coalesce(runs.primary_model, p.success_model),
      last_step_at = p.now,
      last_activity_at = p.now,
      updated_at = p.now
    FROM per_run p LEFT JOIN given_back g ON g.run_id = p.run_id
    WHERE runs.id = p.run_id
    RETURNING runs.id, runs.step_count, runs.total_cost_usd, runs.total_tokens, runs.reserved_usd, runs.reserved_tokens
  ), numbered AS (
    SELECT i.*, run.step_count - p.n + row_number() OVER (PARTITION BY i.run_id ORDER BY i.ord) AS step_number,
      run.total_cost_usd AS run_cost_usd, run.total_tokens AS run_tokens, run.reserved_usd AS run_reserved_usd, run.reserved_tokens AS run_reserved_tokens
    FROM input i JOIN per_run p ON p.run_id = i.run_id JOIN run ON run.id = i.run_id
  ), key_use AS (
    UPDATE provider_keys SET last_used_at = k.now
    FROM (SELECT provider_key_id, max(now) AS now FROM input WHERE succeeded AND provider_key_id IS NOT NULL GROUP BY provider_key_id) k
    WHERE provider_keys.id = k.provider_key_id
      AND (provider_keys.last_used_at IS NULL OR provider_keys.last_used_at < k.now - interval '1 minute')
  ), step AS (
    INSERT INTO steps (id, org_id, run_id, agent_id, step_number, type, status, provider, model, provider_key_id, streaming,
      request, response, input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, price_missing,
      latency_ms, routed_from, failover_attempts, failover_context, error_kind, error_message, created_at)
    SELECT id, org_id, run_id, agent_id, step_number, type, status, provider, model, provider_key_id, streaming,
      request, response, input, output, cache_read, cache_creation, cost_usd, price_missing,
      latency_ms, routed_from, failover_attempts, failover_context, error_kind, error_message, now
    FROM numbered
    RETURNING id
  ), ledger AS (
    INSERT INTO ledger_entries (org_id, run_id, step_id, agent_id, provider, model, provider_key_id,
      input_tokens, output_tokens, cache_read_tokens, cache_creation_tokens, cost_usd, created_at)
    SELECT org_id, run_id, id, agent_id, provider, model, provider_key_id, input, output, cache_read, cache_creation, cost_usd, now
    FROM numbered WHERE charged
  ), spend AS (
    INSERT INTO agent_spend_minutes (agent_id, minute, cost_usd)
    SELECT agent_id, date_trunc('minute', now), sum(cost_usd) FROM numbered WHERE cost_usd > 0
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (agent_id, minute) DO UPDATE SET cost_usd = agent_spend_minutes.cost_usd + excluded.cost_usd
  ), event AS (
    INSERT INTO events (org_id, agent_id, type, data, created_at)
    SELECT n.org_id, n.agent_id, n.event_type, n.event_data, n.now
    FROM numbered n
    WHERE EXISTS (
      SELECT 1 FROM webhooks w
      WHERE w.org_id = n.org_id AND w.status <> 'paused' AND n.event_type = ANY (w.events)
        AND (w.agent_id IS NULL OR w.agent_id = n.agent_id)
    )
  )
  SELECT n.id AS step_id, n.step_number, n.run_cost_usd, n.run_tokens, n.run_reserved_usd, n.run_reserved_tokens
  FROM numbered n JOIN step ON step.id = n.id`,
);

/**
 * Writes the steps of concurrent calls together (`naturalBatches`): under load many calls share
 * one statement and one commit, and a lone call is written at once with `recordStep`. A batch
 * that fails (a deadlock with another process's batch, a step whose run is gone) is retried step
 * by step, so one bad step fails only its own call.
 */
export function createStepWriter(db: Database) {
  const write = naturalBatches<StepRecord & { id: string }, RecordedStep>(async (batch) => {
    const [only] = batch;
    if (only && batch.length === 1) {
      await recordStep(db, only.item).then(only.resolve, only.reject);
      return;
    }
    let rows: BatchRow[];
    try {
      rows = await recordStepsStatement(db, {
        batch: JSON.stringify(batch.map((p, ord) => ({ ord, ...stepColumns(p.item.id, p.item) }))),
      });
    } catch {
      // The batch rolled back as a whole; each step then stands or fails on its own.
      await Promise.all(batch.map((p) => recordStep(db, p.item).then(p.resolve, p.reject)));
      return;
    }
    const byId = new Map(rows.map((row) => [row.step_id, row]));
    for (const p of batch) {
      const row = byId.get(p.item.id);
      if (!row) {
        p.reject(new Error(`run ${p.item.runId} not found while recording a step`));
        continue;
      }
      p.resolve({
        stepId: row.step_id,
        stepNumber: Number(row.step_number),
        runTotalCostUsd: String(row.run_cost_usd),
        runTotalTokens: Number(row.run_tokens),
        runReservedUsd: String(row.run_reserved_usd),
        runReservedTokens: Number(row.run_reserved_tokens),
      });
    }
  });

  return {
    write: (record: StepRecord): Promise<RecordedStep> => write({ ...record, id: record.id ?? randomUUID() }),
  };
}

export type StepWriter = ReturnType<typeof createStepWriter>;
