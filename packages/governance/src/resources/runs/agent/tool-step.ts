import type { CreateToolStepInput, Step } from '@rungate/contracts';
import { type Database, returnedRow, steps } from '@rungate/db';
import { eq } from 'drizzle-orm';
import { recordStep } from '../../../calls/ledger/record-step.ts';
import { toUsd, usdUnits } from '../../../calls/pricing/money.ts';
import { conflict, invalid } from '../../../errors.ts';
import { toStep } from '../presenter.ts';
import { type AgentCaller, ownRun } from './ownership.ts';

/** numeric(20,10) holds less than 10^10 USD; integer columns stop at 2^31 - 1. */
const MAX_COST_UNITS = 10n ** 20n;
const MAX_LATENCY_MS = 2_147_483_647;

function checkBounds(input: CreateToolStepInput): void {
  if (usdUnits(input.cost_usd) >= MAX_COST_UNITS)
    throw invalid('cost_usd is too large', { cost_usd: 'Must be below 10000000000' });
  if (input.latency_ms !== undefined && input.latency_ms > MAX_LATENCY_MS) {
    throw invalid('latency_ms is too large', { latency_ms: `Must be at most ${MAX_LATENCY_MS}` });
  }
}

/** The run's frozen policy decides, like for LLM steps: `disabled` keeps a marker instead of content. */
const logsContent = (policySnapshot: Record<string, unknown>) => policySnapshot.content_logging !== 'disabled';

/**
 * Logs a tool call (web search, database query, ...) the agent made itself as a `tool_call`
 * step of one of its running runs. Step, ledger entry and run totals are one statement
 * (`recordStep`), so a tool's cost counts against the run's budget and the hourly cap exactly
 * like an LLM call's. The run row stays locked meanwhile, so a concurrent completion cannot
 * end it between the status check and the write.
 */
export function logToolStep(
  db: Database,
  agent: AgentCaller,
  runId: string,
  input: CreateToolStepInput,
  now: Date,
): Promise<Step> {
  checkBounds(input);
  return db.transaction(async (tx) => {
    const run = await ownRun(tx, agent, runId, true);
    if (run.status !== 'running')
      throw conflict(`Run is not running (status: ${run.status}); steps can only be added to a running run`);
    const logged = logsContent(run.policySnapshot);
    const content = (value: Record<string, unknown> | undefined) =>
      value === undefined ? null : logged ? value : { redacted: true };
    const { stepId } = await recordStep(tx, {
      orgId: run.orgId,
      runId: run.id,
      agentId: agent.id,
      type: 'tool_call',
      status: input.status,
      provider: input.provider,
      // Steps have no name column: the tool's name goes where an LLM step has its model, so step
      // lists and ledger entries name the tool.
      model: input.name,
      providerKeyId: null,
      streaming: false,
      request: content(input.request),
      response: content(input.response),
      usage: {
        input: input.tokens.input,
        output: input.tokens.output,
        cacheRead: input.tokens.cache_read,
        cacheCreation: input.tokens.cache_creation,
      },
      costUsd: toUsd(input.cost_usd),
      priceMissing: false,
      latencyMs: input.latency_ms ?? 0,
      routedFrom: null,
      failoverAttempts: 0,
      failoverContext: null,
      errorKind: null,
      errorMessage: input.error_message ?? null,
      governanceBlock: false,
      reservationId: null,
      now,
    });
    const row = returnedRow(await tx.select().from(steps).where(eq(steps.id, stepId)));
    return toStep(row);
  });
}
