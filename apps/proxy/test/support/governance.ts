import { randomBytes } from 'node:crypto';
import Anthropic from '@anthropic-ai/sdk';
import type { CreateAgentInput, CreatePolicyInput, Policy } from '@rungate/contracts';
import { runs, steps } from '@rungate/db';
import { asc, eq } from 'drizzle-orm';
import OpenAI from 'openai';
import { expect } from 'vitest';
import type { HarnessAgent, ProxyHarness } from './harness.ts';

/** gpt-4o-mini list prices per million tokens (input, output), as the price library has them. */
export const MINI = { input: 0.15, output: 0.6 } as const;
/** claude-3-5-haiku-latest list prices per million tokens. */
export const HAIKU = { input: 0.8, output: 4 } as const;

export interface Scenario {
  policy: Policy;
  agent: HarnessAgent;
  openai: OpenAI;
  anthropic: Anthropic;
}

/**
 * A fresh policy and an agent bound to it (same org and provider keys as the harness), so each
 * test has its own runs, rate-limit counters and budget without touching the others'.
 */
export async function scenario(
  h: ProxyHarness,
  policy: Partial<CreatePolicyInput> = {},
  agent: Partial<CreateAgentInput> = {},
): Promise<Scenario> {
  const suffix = randomBytes(4).toString('hex');
  const created = await h.services.policies.create(h.ctx, { name: `gov-${suffix}`, ...policy });
  const made = await h.createAgent({ name: `agent-${suffix}`, policy_id: created.id, ...agent });
  return { policy: created, agent: made, openai: h.openai(made.key), anthropic: h.anthropic(made.key) };
}

/** A refused SDK call as the wire carried it: status, headers and the JSON body. */
export interface Refusal {
  status: number;
  headers: Headers;
  body: { error: Record<string, unknown> & { details?: Record<string, unknown>; context?: Record<string, unknown> } };
}

/** Awaits an SDK call that must fail with an HTTP error and returns what the proxy answered. */
export async function refused(call: PromiseLike<unknown>): Promise<Refusal> {
  try {
    await call;
  } catch (error) {
    // The OpenAI SDK keeps the body's `error` member, the Anthropic SDK the whole body.
    if (error instanceof OpenAI.APIError && error.status)
      return {
        status: error.status,
        headers: error.headers as Headers,
        body: { error: error.error as Refusal['body']['error'] },
      };
    if (error instanceof Anthropic.APIError && error.status)
      return { status: error.status, headers: error.headers as Headers, body: error.error as Refusal['body'] };
    throw error;
  }
  throw new Error('expected the call to be refused');
}

/** `GovernanceBlockResponse.context` for a block of `s`'s agent after `steps` steps costing `cost` and `tokens`. */
export function contextOf(s: Scenario, used: { steps: number; cost?: number; tokens?: number }) {
  const budget = s.policy.budget ?? {};
  const runaway = s.policy.runaway_prevention;
  return {
    policy_name: s.policy.name,
    agent_name: s.agent.name,
    steps_used: used.steps,
    max_steps_per_run: runaway?.enabled === false ? null : (runaway?.max_steps_per_run ?? null),
    cost_usd: used.cost ?? 0,
    hard_limit_usd: budget.hard_limit_usd ?? null,
    hard_limit_tokens: budget.hard_limit_tokens ?? null,
    tokens_used: used.tokens ?? 0,
    max_cost_per_hour_usd: budget.max_cost_per_hour_usd ?? null,
  };
}

export async function runOf(h: ProxyHarness, id: string) {
  const [row] = await h.services.deps.db.select().from(runs).where(eq(runs.id, id));
  if (!row) throw new Error(`no run ${id}`);
  return row;
}

export function stepsOf(h: ProxyHarness, runId: string) {
  return h.services.deps.db.select().from(steps).where(eq(steps.runId, runId)).orderBy(asc(steps.stepNumber));
}

export function stepsOfAgent(h: ProxyHarness, agentId: string) {
  return h.services.deps.db
    .select()
    .from(steps)
    .where(eq(steps.agentId, agentId))
    .orderBy(asc(steps.createdAt), asc(steps.stepNumber));
}

/**
 * Checks the block recorded as the run's last step: its status, the block code in
 * `response.error.code`, zero usage and cost, and the run flagged `has_governance_block`.
 */
export async function expectBlockedStep(
  h: ProxyHarness,
  runId: string,
  status: 'policy_blocked' | 'budget_blocked',
  code: string,
) {
  const all = await stepsOf(h, runId);
  const step = all.at(-1)!;
  expect(step).toMatchObject({
    status,
    type: 'llm_call',
    costUsd: '0.0000000000',
    inputTokens: 0,
    outputTokens: 0,
    response: { error: { code } },
  });
  expect((await runOf(h, runId)).hasGovernanceBlock).toBe(true);
  return step;
}

/** Requests the fake received since `from` (an index into `h.fake.requests`). */
export const upstreamSince = (h: ProxyHarness, from: number) => h.fake.requests.slice(from);

export const USER = [{ role: 'user' as const, content: 'hi' }];
