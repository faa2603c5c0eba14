import type {
  CompleteAllRunsInput,
  CreateToolStepInput,
  ListAgentRunStepsQuery,
  ListAgentRunsQuery,
  Run,
  RunCompletionInput,
  Step,
  UpdateAgentRunInput,
} from '@rungate/contracts';
import { type Executor, returnedRow, runs } from '@rungate/db';
import { eq } from 'drizzle-orm';
import type { ServiceDeps } from '../../../deps.ts';
import { forbidden } from '../../../errors.ts';
import type { AgentRow } from '../../agents/presenter.ts';
import { createPolicyService } from '../../policies/service.ts';
import { completeAllRuns, completeRun, type RunCompletion, type RunRow } from '../lifecycle.ts';
import { toRun } from '../presenter.ts';
import { listAgentRuns, listRunSteps } from './listing.ts';
import { type AgentCaller, currentRun, noCurrentRun, ownRun } from './ownership.ts';
import { type AgentSelfView, agentSelf } from './self.ts';
import { logToolStep } from './tool-step.ts';

export interface AgentRunUpdate {
  run_id: string;
  name: string | null;
  outcome: RunRow['outcome'];
  outcome_reason: string | null;
}

const toRunUpdate = (row: RunRow): AgentRunUpdate => ({
  run_id: row.id,
  name: row.name,
  outcome: row.outcome,
  outcome_reason: row.outcomeReason,
});

/** The spec refuses a disabled agent's completions and new steps; reads and renames stay open to it. */
function assertActive(agent: AgentRow): void {
  if (agent.status === 'disabled') throw forbidden('Agent is disabled');
}

/**
 * The agent API (/v1/me, /v1/runs/...): an agent reading and steering its own runs with its
 * key. Every method takes the authenticated agent first; runs of other agents are 403 (same
 * org, as the spec says) or 404 (other org).
 */
export function createAgentRunService(deps: ServiceDeps) {
  const { db, clock } = deps;
  const { loadPolicy } = createPolicyService(deps);

  /** Partial update; null clears a field. No webhook (spec): agent amendments are read through the API. */
  async function amend(executor: Executor, run: RunRow, input: UpdateAgentRunInput): Promise<AgentRunUpdate> {
    const changes = {
      ...(input.name === undefined ? {} : { name: input.name }),
      ...(input.outcome === undefined ? {} : { outcome: input.outcome }),
      ...(input.outcome_reason === undefined ? {} : { outcomeReason: input.outcome_reason }),
    };
    if (Object.keys(changes).length === 0) return toRunUpdate(run);
    const row = returnedRow(
      await executor
        .update(runs)
        .set({ ...changes, updatedAt: clock.now() })
        .where(eq(runs.id, run.id))
        .returning(),
    );
    return toRunUpdate(row);
  }

  return {
    me: (agent: AgentRow): Promise<AgentSelfView> => agentSelf(db, agent, loadPolicy, clock.now()),

    listRuns: (agent: AgentRow, query: ListAgentRunsQuery): Promise<{ data: Run[]; total: number }> =>
      listAgentRuns(db, agent, query),

    async current(agent: AgentRow): Promise<Run> {
      const run = await currentRun(db, agent);
      if (!run) throw noCurrentRun();
      return toRun(run, agent.name);
    },

    async get(agent: AgentRow, id: string): Promise<Run> {
      return toRun(await ownRun(db, agent, id), agent.name);
    },

    updateCurrent: (agent: AgentRow, input: UpdateAgentRunInput): Promise<AgentRunUpdate> =>
      db.transaction(async (tx) => {
        const run = await currentRun(tx, agent, true);
        if (!run) throw noCurrentRun();
        return amend(tx, run, input);
      }),

    /** Works on a run in any status: agents record outcomes after the fact. */
    update: (agent: AgentRow, id: string, input: UpdateAgentRunInput): Promise<AgentRunUpdate> =>
      db.transaction(async (tx) => amend(tx, await ownRun(tx, agent, id, true), input)),

    async steps(agent: AgentRow, id: string, query: ListAgentRunStepsQuery): Promise<{ data: Step[]; total: number }> {
      await ownRun(db, agent, id);
      return listRunSteps(db, id, query);
    },

    /** The latest running run; 404 when none. A disabled agent is refused by the transport first (spec: a governance block). */
    completeCurrent: (agent: AgentRow, input: RunCompletionInput | undefined): Promise<RunCompletion> =>
      db.transaction(async (tx) => {
        assertActive(agent);
        const run = await currentRun(tx, agent, true);
        if (!run) throw noCurrentRun();
        return completeRun(tx, run.id, completionOptions(input), clock.now());
      }),

    /** 409 when the run has already ended. */
    complete: (agent: AgentRow, id: string, input: RunCompletionInput | undefined): Promise<RunCompletion> =>
      db.transaction(async (tx) => {
        assertActive(agent);
        await ownRun(tx, agent, id, true);
        return completeRun(tx, id, completionOptions(input), clock.now());
      }),

    /** Idempotent: 0 when nothing is running. */
    completeAll: (
      agent: AgentCaller,
      input: CompleteAllRunsInput | undefined,
    ): Promise<{ completed_count: number; completed_run_ids: string[] }> =>
      db.transaction((tx) => completeAllRuns(tx, agent.id, clock.now(), input?.ended_reason)),

    logToolStep(agent: AgentRow, id: string, input: CreateToolStepInput): Promise<Step> {
      assertActive(agent);
      return logToolStep(db, agent, id, input, clock.now());
    },
  };
}

function completionOptions(input: RunCompletionInput | undefined) {
  return {
    endedReason: input?.ended_reason ?? 'agent_signaled',
    outcome: input?.outcome,
    outcomeReason: input?.outcome_reason,
    metadata: input?.metadata,
  };
}

export type AgentRunService = ReturnType<typeof createAgentRunService>;
