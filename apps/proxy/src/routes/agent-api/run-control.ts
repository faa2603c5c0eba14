import { type GovernanceBlockResponse, proxyOperations } from '@rungate/contracts';
import type { AgentRow, Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { agentRoute } from '../agent-route.ts';

/** The spec answers a disabled agent's "complete current" with a governance block, not an ErrorResponse. */
const agentDisabled = (agent: AgentRow): GovernanceBlockResponse => ({
  error: {
    type: 'governance_block',
    code: 'agent_disabled',
    message: 'Agent is disabled',
    run_id: null,
    context: { agent_name: agent.name },
  },
});

/** Ending runs and logging tool calls. */
export function runControlRoutes(app: FastifyInstance, { agentRuns }: Services): void {
  const ops = proxyOperations;
  agentRoute(app, ops.completeAllRuns, ({ agent, body }) => agentRuns.completeAll(agent, body));
  agentRoute(app, ops.completeCurrentRun, async ({ agent, body, reply }) => {
    if (agent.status === 'disabled') return reply.code(403).send(agentDisabled(agent));
    return { data: await agentRuns.completeCurrent(agent, body) };
  });
  agentRoute(app, ops.completeRun, async ({ agent, params, body }) => ({
    data: await agentRuns.complete(agent, params.id, body),
  }));
  agentRoute(app, ops.createRunStep, async ({ agent, params, body }) => ({
    data: await agentRuns.logToolStep(agent, params.id, body),
  }));
}
