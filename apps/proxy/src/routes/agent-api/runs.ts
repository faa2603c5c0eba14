import { agentApiOperations } from '@rungate/contracts';
import type { Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { agentRoute } from '../agent-route.ts';

/** Reading and amending the agent's own runs. */
export function runRoutes(app: FastifyInstance, { agentRuns }: Services): void {
  const ops = agentApiOperations;
  agentRoute(app, ops.me, async ({ agent }) => ({ data: await agentRuns.me(agent) }));
  agentRoute(app, ops.listRuns, ({ agent, query }) => agentRuns.listRuns(agent, query));
  agentRoute(app, ops.getCurrentRun, async ({ agent }) => ({ data: await agentRuns.current(agent) }));
  agentRoute(app, ops.updateCurrentRun, async ({ agent, body }) => ({
    data: await agentRuns.updateCurrent(agent, body),
  }));
  agentRoute(app, ops.getRun, async ({ agent, params }) => ({ data: await agentRuns.get(agent, params.id) }));
  agentRoute(app, ops.updateRun, async ({ agent, params, body }) => ({
    data: await agentRuns.update(agent, params.id, body),
  }));
  agentRoute(app, ops.listRunSteps, ({ agent, params, query }) => agentRuns.steps(agent, params.id, query));
}
