import { randomUUID } from 'node:crypto';
import { agentApiOperations, proxyOperations } from '@rungate/contracts';
import { events, ledgerEntries, runs, steps } from '@rungate/db';
import { ManualClock, NO_USAGE, recordStep, type StepRecord, type TokenUsage, toRun } from '@rungate/governance';
import { stepRecord } from '@rungate/governance/testing';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProxyHarness, type ForeignAgent, type HarnessAgent, type ProxyHarness } from './support/harness.ts';

let h: ProxyHarness;
let clock: ManualClock;
let foreign: ForeignAgent;
const minutesAgo = (minutes: number) => new Date(clock.now().getTime() - minutes * 60_000);

beforeAll(async () => {
  clock = new ManualClock(new Date());
  h = await createProxyHarness({
    clock,
    policy: {
      budget: { hard_limit_usd: 5, hard_limit_tokens: 100_000, max_cost_per_hour_usd: 2 },
      allowed_models: ['gpt-4o*', 'claude-*'],
      runaway_prevention: { enabled: true, max_steps_per_run: 40 },
    },
  });
  foreign = await h.createForeignAgent();
});
afterAll(() => h?.close());

// ---- helpers ---------------------------------------------------------------------------------

type RunRow = typeof runs.$inferSelect;

async function call(
  method: string,
  path: string,
  options: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {},
) {
  const { key = null, body, headers } = options;
  const response = await fetch(`${h.baseUrl}${path}`, {
    method,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

/** A run as the proxy opens it: totals start at zero and only grow through `recordStep`. */
async function seedRun(
  agent: { id: string; orgId?: string },
  values: Partial<typeof runs.$inferInsert> = {},
): Promise<RunRow> {
  const [row] = await h.services.deps.db
    .insert(runs)
    .values({
      orgId: agent.orgId ?? h.orgId,
      agentId: agent.id,
      policyId: agent.orgId ? null : h.policy.id,
      creationMethod: 'implicit',
      policySnapshot: { ...h.policy },
      budget: { hard_limit_usd: 5, hard_limit_tokens: 100_000 },
      startedAt: minutesAgo(10),
      lastActivityAt: minutesAgo(10),
      ...values,
    })
    .returning();
  return row!;
}

/** An LLM step written the way the proxy writes it (step, ledger, run totals in one statement). */
function seedLlmStep(run: RunRow, costUsd: string, usage: TokenUsage, overrides: Partial<StepRecord> = {}) {
  return recordStep(
    h.services.deps.db,
    stepRecord({ orgId: run.orgId, runId: run.id, agentId: run.agentId }, clock.now(), {
      usage,
      costUsd,
      latencyMs: 120,
      ...overrides,
    }),
  );
}

async function runRow(id: string): Promise<RunRow> {
  const [row] = await h.services.deps.db.select().from(runs).where(eq(runs.id, id));
  return row!;
}

/** Run totals against the sum of its ledger, bucket by bucket, as exact decimal strings. */
async function ledgerTotals(runId: string) {
  const [sum] = await h.services.deps.db
    .select({
      cost: sql<string>`coalesce(sum(${ledgerEntries.costUsd}), 0)::numeric(20, 10)::text`,
      input: sql<number>`coalesce(sum(${ledgerEntries.inputTokens}), 0)::int`,
      output: sql<number>`coalesce(sum(${ledgerEntries.outputTokens}), 0)::int`,
      cacheRead: sql<number>`coalesce(sum(${ledgerEntries.cacheReadTokens}), 0)::int`,
      cacheCreation: sql<number>`coalesce(sum(${ledgerEntries.cacheCreationTokens}), 0)::int`,
      entries: sql<number>`count(*)::int`,
    })
    .from(ledgerEntries)
    .where(eq(ledgerEntries.runId, runId));
  return sum!;
}

async function eventsOf(runId: string) {
  const rows = await h.services.deps.db
    .select({ type: events.type })
    .from(events)
    .where(sql`${events.data} -> 'run' ->> 'id' = ${runId}`);
  return rows.map((row) => row.type);
}

const agentNames = new Set<string>();
/** A fresh agent per test keeps "current run" and listings independent of other tests. */
async function freshAgent(): Promise<HarnessAgent> {
  const agent = await h.createAgent({ name: `agent-${agentNames.size + 1}` });
  agentNames.add(agent.name);
  return agent;
}

const unauthorized = { error: { type: 'unauthorized', message: expect.any(String) } };
const forbiddenRun = { error: { type: 'forbidden', message: 'Run belongs to a different agent' } };
const runNotFound = { error: { type: 'not_found', message: 'Run not found' } };
const noRunningRun = { error: { type: 'not_found', message: 'This agent has no running run' } };

// ---- discovery and auth ------------------------------------------------------------------------

describe('GET /v1', () => {
  it('lists every agent endpoint without authentication', async () => {
    const res = await call('GET', '/v1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      name: 'Rungate Agent API',
      version: 'v1',
      admin_api: '/api',
      auth: expect.stringContaining('rg_sk_'),
    });
    const listed = res.body.endpoints.map((e: { method: string; path: string }) => `${e.method} ${e.path}`);
    const expected = [...Object.values(proxyOperations), ...Object.values(agentApiOperations)]
      .filter((op) => op.auth === 'agent')
      .map((op) => `${op.method} ${op.path}`);
    expect(listed).toEqual(expected);
    expect(listed).toEqual(
      expect.arrayContaining(['GET /v1/me', 'POST /v1/runs/{id}/steps', 'POST /v1/chat/completions']),
    );
    for (const endpoint of res.body.endpoints) expect(endpoint.description).toEqual(expect.any(String));
  });
});

describe('agent authentication', () => {
  const id = randomUUID();
  const routes: [string, string, unknown?][] = [
    ['GET', '/v1/me'],
    ['GET', '/v1/runs/mine'],
    ['GET', '/v1/runs/current'],
    ['PATCH', '/v1/runs/current', { name: 'x' }],
    ['GET', `/v1/runs/${id}`],
    ['PATCH', `/v1/runs/${id}`, { name: 'x' }],
    ['GET', `/v1/runs/${id}/steps`],
    ['POST', '/v1/runs/complete-all'],
    ['POST', '/v1/runs/current/complete'],
    ['POST', `/v1/runs/${id}/complete`],
    ['POST', `/v1/runs/${id}/steps`, { type: 'tool_call', name: 'web_search', status: 'success' }],
  ];

  it('answers 401 ProxyAuthError without a key, with an unknown key and with a non-agent key', async () => {
    for (const [method, path, body] of routes) {
      for (const key of [null, 'rg_sk_unknownunknownunknown', 'sk-not-a-rungate-key']) {
        const res = await call(method, path, { key, body });
        expect(res.status, `${method} ${path} ${key}`).toBe(401);
        expect(res.body).toEqual(unauthorized);
      }
    }
  });

  it('accepts the key as Authorization: Bearer or x-api-key', async () => {
    expect((await call('GET', '/v1/me', { key: h.agent.key })).status).toBe(200);
    expect((await call('GET', '/v1/me', { headers: { 'x-api-key': h.agent.key } })).status).toBe(200);
  });
});

// ---- self ------------------------------------------------------------------------------------------

describe('GET /v1/me', () => {
  it('returns the agent with its policy limits and its usage from runs and the ledger', async () => {
    const agent = await freshAgent();
    const old = await seedRun(agent, { status: 'completed', startedAt: minutesAgo(180), endedAt: minutesAgo(170) });
    await seedLlmStep(old, '1.5000000000', { ...NO_USAGE, input: 1000 }, { now: minutesAgo(175) });
    const running = await seedRun(agent, { budget: { hard_limit_usd: 1, hard_limit_tokens: 1000 } });
    await seedLlmStep(running, '0.2500000001', { input: 100, output: 50, cacheRead: 30, cacheCreation: 20 });

    const res = await call('GET', '/v1/me', { key: agent.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        id: agent.id,
        name: agent.name,
        description: null,
        status: 'active',
        policy_name: 'harness-policy',
        hourly_cost_limit_usd: 2,
        budget_hard_limit_usd: 5,
        max_steps_per_run: 40,
        allowed_models: ['gpt-4o*', 'claude-*'],
        model_override: null,
        usage: {
          // The 1.5 USD step is three hours old: outside the hourly window.
          cost_last_hour_usd: 0.2500000001,
          hourly_cost_remaining_usd: 1.7499999999,
          running_runs: 1,
          current_run: {
            id: running.id,
            step_count: 1,
            cost_usd: 0.2500000001,
            tokens_used: 200,
            budget_remaining_usd: 0.7499999999,
            budget_remaining_tokens: 800,
          },
        },
      },
    });
  });

  it('follows policy changes and reports no limits as null', async () => {
    const agent = await freshAgent();
    const before = h.policy;
    await h.updatePolicy({
      budget: { hard_limit_usd: null, max_cost_per_hour_usd: null },
      allowed_models: [],
      model_override: 'gpt-4o-mini',
    });
    try {
      const res = await call('GET', '/v1/me', { key: agent.key });
      expect(res.body.data).toMatchObject({
        hourly_cost_limit_usd: null,
        budget_hard_limit_usd: null,
        allowed_models: null,
        model_override: 'gpt-4o-mini',
        usage: { cost_last_hour_usd: 0, hourly_cost_remaining_usd: null, running_runs: 0, current_run: null },
      });
    } finally {
      await h.updatePolicy({ budget: before.budget, allowed_models: before.allowed_models, model_override: null });
    }
  });

  it('still answers for a disabled agent, showing its status', async () => {
    const agent = await freshAgent();
    await h.updateAgent({ status: 'disabled' }, agent.id);
    const res = await call('GET', '/v1/me', { key: agent.key });
    expect(res.status).toBe(200);
    expect(res.body.data.status).toBe('disabled');
  });
});

// ---- listing and reading runs ------------------------------------------------------------------------

describe('GET /v1/runs/mine', () => {
  let agent: HarnessAgent;
  let r1: RunRow;
  let r2: RunRow;
  let r3: RunRow;

  beforeAll(async () => {
    agent = await freshAgent();
    r1 = await seedRun(agent, {
      name: 'alpha',
      status: 'completed',
      startedAt: minutesAgo(180),
      endedAt: minutesAgo(120),
      endedReason: 'agent_signaled',
    });
    await seedLlmStep(r1, '0.5', { ...NO_USAGE, input: 10 });
    r2 = await seedRun(agent, { name: 'beta', startedAt: minutesAgo(120) });
    await seedLlmStep(r2, '1.25', { ...NO_USAGE, input: 10 });
    await seedLlmStep(r2, '0.01', { ...NO_USAGE, input: 10 });
    r3 = await seedRun(agent, {
      status: 'force_stopped',
      startedAt: minutesAgo(60),
      endedAt: minutesAgo(30),
      forceStoppedAt: minutesAgo(30),
    });
    // Neither another agent's run nor another org's shows up.
    await seedRun(h.agent, { startedAt: minutesAgo(90) });
    await seedRun(foreign, { startedAt: minutesAgo(90) });
  });

  const ids = (res: { body: { data: { id: string }[] } }) => res.body.data.map((run) => run.id);

  it('lists only the caller’s runs, newest first, in the Run shape', async () => {
    const res = await call('GET', '/v1/runs/mine', { key: agent.key });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(3);
    expect(ids(res)).toEqual([r3.id, r2.id, r1.id]);
    expect(res.body.data[1]).toEqual(toRun(await runRow(r2.id), agent.name));
    expect(res.body.data[1]).toMatchObject({
      agent_name: agent.name,
      name: 'beta',
      status: 'running',
      cost_usd: 1.26,
      step_count: 2,
      policy_name: 'harness-policy',
    });
  });

  it('filters by status and start time, sorts and pages', async () => {
    const cases: [string, string[], number?][] = [
      ['status=running', [r2.id]],
      ['status=completed', [r1.id]],
      ['status=budget_exceeded', []],
      [`since=${encodeURIComponent(minutesAgo(120).toISOString())}`, [r3.id, r2.id]],
      [`until=${encodeURIComponent(minutesAgo(120).toISOString())}`, [r1.id]],
      ['sort=cost_usd&order=desc', [r2.id, r1.id, r3.id]],
      ['sort=cost_usd&order=asc', [r3.id, r1.id, r2.id]],
      ['sort=step_count', [r2.id, r1.id, r3.id]],
      ['sort=name&order=asc', [r1.id, r2.id, r3.id]],
      ['sort=ended_at&order=desc', [r3.id, r1.id, r2.id]],
      ['sort=started_at&order=asc&limit=1&offset=1', [r2.id], 3],
    ];
    for (const [query, expected, total] of cases) {
      const res = await call('GET', `/v1/runs/mine?${query}`, { key: agent.key });
      expect(res.status, query).toBe(200);
      expect(ids(res), query).toEqual(expected);
      expect(res.body.total, query).toBe(total ?? expected.length);
    }
  });

  it('rejects bad query values with 400 and the field', async () => {
    for (const [query, field] of [
      ['sort=agent_id', 'sort'],
      ['status=paused', 'status'],
      ['since=yesterday', 'since'],
      ['limit=0', 'limit'],
      ['offset=-1', 'offset'],
    ]) {
      const res = await call('GET', `/v1/runs/mine?${query}`, { key: agent.key });
      expect(res.status, query).toBe(400);
      expect(res.body.error.type).toBe('validation_error');
      expect(Object.keys(res.body.error.fields), query).toContain(field);
    }
  });
});

describe('GET /v1/runs/current', () => {
  it('is the latest-started running run; 404 when none is running', async () => {
    const agent = await freshAgent();
    const none = await call('GET', '/v1/runs/current', { key: agent.key });
    expect(none.status).toBe(404);
    expect(none.body).toEqual(noRunningRun);

    await seedRun(agent, { status: 'completed', startedAt: minutesAgo(1), endedAt: minutesAgo(1) });
    await seedRun(agent, { startedAt: minutesAgo(30) });
    const latest = await seedRun(agent, { startedAt: minutesAgo(5), name: 'latest' });
    const res = await call('GET', '/v1/runs/current', { key: agent.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: toRun(await runRow(latest.id), agent.name) });
  });
});

describe('GET /v1/runs/{id}', () => {
  it('returns an own run in any status', async () => {
    const agent = await freshAgent();
    const run = await seedRun(agent, { status: 'budget_exceeded', endedAt: minutesAgo(1), endedReason: 'cost_limit' });
    const res = await call('GET', `/v1/runs/${run.id}`, { key: agent.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: toRun(run, agent.name) });
  });

  it('403 for another agent’s run of the org, 404 for another org’s or an unknown run, 400 for a bad id', async () => {
    const agent = await freshAgent();
    const sibling = await seedRun(h.agent);
    const other = await seedRun(foreign);
    expect(await call('GET', `/v1/runs/${sibling.id}`, { key: agent.key })).toEqual({
      status: 403,
      body: forbiddenRun,
    });
    expect(await call('GET', `/v1/runs/${other.id}`, { key: agent.key })).toEqual({ status: 404, body: runNotFound });
    expect(await call('GET', `/v1/runs/${randomUUID()}`, { key: agent.key })).toEqual({
      status: 404,
      body: runNotFound,
    });
    // The foreign agent cannot see ours either: 404, not 403, across orgs.
    expect(await call('GET', `/v1/runs/${sibling.id}`, { key: foreign.key })).toEqual({
      status: 404,
      body: runNotFound,
    });
    const bad = await call('GET', '/v1/runs/not-a-uuid', { key: agent.key });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: 'validation_error', fields: { id: expect.any(String) } });
  });
});

// ---- amending runs ---------------------------------------------------------------------------------

describe('PATCH /v1/runs/current and /v1/runs/{id}', () => {
  it('updates the current run partially; null clears; nothing sent changes nothing', async () => {
    const agent = await freshAgent();
    const run = await seedRun(agent, { name: 'before', outcome: 'partial', outcomeReason: 'half done' });
    const named = await call('PATCH', '/v1/runs/current', { key: agent.key, body: { name: 'after' } });
    expect(named).toEqual({
      status: 200,
      body: { data: { run_id: run.id, name: 'after', outcome: 'partial', outcome_reason: 'half done' } },
    });
    const cleared = await call('PATCH', '/v1/runs/current', {
      key: agent.key,
      body: { outcome: null, outcome_reason: null },
    });
    expect(cleared.body.data).toEqual({ run_id: run.id, name: 'after', outcome: null, outcome_reason: null });
    const same = await call('PATCH', '/v1/runs/current', { key: agent.key, body: {} });
    expect(same.body.data).toEqual({ run_id: run.id, name: 'after', outcome: null, outcome_reason: null });
    expect(await runRow(run.id)).toMatchObject({
      name: 'after',
      outcome: null,
      outcomeReason: null,
      status: 'running',
    });
  });

  it('404 on /current when no run is running', async () => {
    const agent = await freshAgent();
    await seedRun(agent, { status: 'completed', endedAt: minutesAgo(1) });
    expect(await call('PATCH', '/v1/runs/current', { key: agent.key, body: { name: 'x' } })).toEqual({
      status: 404,
      body: noRunningRun,
    });
  });

  it('amends an ended run by id without firing a webhook event', async () => {
    const agent = await freshAgent();
    const run = await seedRun(agent, {
      status: 'completed',
      endedAt: minutesAgo(1),
      endedReason: 'agent_signaled',
      outcome: 'success',
    });
    const res = await call('PATCH', `/v1/runs/${run.id}`, {
      key: agent.key,
      body: { outcome: 'failed', outcome_reason: 'tests failed later', name: 'nightly' },
    });
    expect(res).toEqual({
      status: 200,
      body: { data: { run_id: run.id, name: 'nightly', outcome: 'failed', outcome_reason: 'tests failed later' } },
    });
    expect(await runRow(run.id)).toMatchObject({
      status: 'completed',
      outcome: 'failed',
      outcomeReason: 'tests failed later',
      name: 'nightly',
    });
    expect(await eventsOf(run.id)).toEqual([]);
  });

  it('403 / 404 for runs that are not the caller’s, and nothing changes', async () => {
    const agent = await freshAgent();
    const sibling = await seedRun(h.agent, { name: 'theirs' });
    const other = await seedRun(foreign, { name: 'foreign' });
    expect(await call('PATCH', `/v1/runs/${sibling.id}`, { key: agent.key, body: { name: 'mine now' } })).toEqual({
      status: 403,
      body: forbiddenRun,
    });
    expect(await call('PATCH', `/v1/runs/${other.id}`, { key: agent.key, body: { name: 'mine now' } })).toEqual({
      status: 404,
      body: runNotFound,
    });
    expect((await runRow(sibling.id)).name).toBe('theirs');
    expect((await runRow(other.id)).name).toBe('foreign');
  });

  it('400 for bad bodies, with the field', async () => {
    const agent = await freshAgent();
    const run = await seedRun(agent);
    const cases: [unknown, string][] = [
      [{ outcome: 'great' }, 'outcome'],
      [{ name: 'x'.repeat(256) }, 'name'],
      [{ outcome_reason: 'x'.repeat(1025) }, 'outcome_reason'],
      [{ name: 42 }, 'name'],
    ];
    for (const path of ['/v1/runs/current', `/v1/runs/${run.id}`]) {
      for (const [body, field] of cases) {
        const res = await call('PATCH', path, { key: agent.key, body });
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(res.body.error.type).toBe('validation_error');
        expect(Object.keys(res.body.error.fields)).toContain(field);
      }
      const empty = await call('PATCH', path, { key: agent.key });
      expect(empty.status).toBe(400);
      const malformed = await call('PATCH', path, { key: agent.key, body: '{"name":' });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.type).toBe('validation_error');
    }
  });
});

// ---- steps -------------------------------------------------------------------------------------------

describe('GET /v1/runs/{id}/steps', () => {
  it('lists the run’s steps in order, sorts and pages; 403 / 404 / 400 otherwise', async () => {
    const agent = await freshAgent();
    const run = await seedRun(agent);
    await seedLlmStep(run, '0.002', { ...NO_USAGE, input: 10 });
    await seedLlmStep(run, '0.009', { ...NO_USAGE, input: 30 });
    await seedLlmStep(run, '0.001', { ...NO_USAGE, input: 20 });
    const [first, second, third] = await h.services.deps.db
      .select()
      .from(steps)
      .where(eq(steps.runId, run.id))
      .orderBy(steps.stepNumber);

    const res = await call('GET', `/v1/runs/${run.id}/steps`, { key: agent.key });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(3);
    expect(res.body.data.map((s: { id: string }) => s.id)).toEqual([first!.id, second!.id, third!.id]);
    expect(res.body.data[0]).toMatchObject({
      run_id: run.id,
      type: 'llm_call',
      provider: 'openai',
      model: 'gpt-4o-mini',
      cost_usd: 0.002,
      status: 'success',
    });

    const byCost = await call('GET', `/v1/runs/${run.id}/steps?sort=cost_usd&order=desc&limit=2`, { key: agent.key });
    expect(byCost.body.data.map((s: { id: string }) => s.id)).toEqual([second!.id, first!.id]);
    expect(byCost.body.total).toBe(3);
    const paged = await call('GET', `/v1/runs/${run.id}/steps?offset=2`, { key: agent.key });
    expect(paged.body.data.map((s: { id: string }) => s.id)).toEqual([third!.id]);

    const badSort = await call('GET', `/v1/runs/${run.id}/steps?sort=model`, { key: agent.key });
    expect(badSort.status).toBe(400);
    expect(badSort.body.error.fields).toHaveProperty('sort');

    expect(await call('GET', `/v1/runs/${run.id}/steps`, { key: h.agent.key })).toEqual({
      status: 403,
      body: forbiddenRun,
    });
    expect(await call('GET', `/v1/runs/${run.id}/steps`, { key: foreign.key })).toEqual({
      status: 404,
      body: runNotFound,
    });
  });
});

describe('POST /v1/runs/{id}/steps', () => {
  const toolStep = { type: 'tool_call', name: 'web_search', status: 'success' } as const;

  it('logs a tool call as a step and moves the run totals by exactly its cost and tokens', async () => {
    const agent = await freshAgent();
    const run = await seedRun(agent);
    await seedLlmStep(run, '0.1000000001', { input: 100, output: 40, cacheRead: 10, cacheCreation: 5 });
    const before = await runRow(run.id);
    clock.advance(1_000);

    const res = await call('POST', `/v1/runs/${run.id}/steps`, {
      key: agent.key,
      body: {
        ...toolStep,
        provider: 'serpapi',
        request: { q: 'rungate' },
        response: { hits: 3 },
        tokens: { input: 7, output: 3 },
        cost_usd: 0.1,
        latency_ms: 250.4,
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      data: {
        id: expect.any(String),
        run_id: run.id,
        type: 'tool_call',
        provider: 'serpapi',
        model: 'web_search',
        streaming: false,
        request: { q: 'rungate' },
        response: { hits: 3 },
        tokens: { input: 7, output: 3, cache_read: 0, cache_creation: 0 },
        cost_usd: 0.1,
        latency_ms: 250,
        routed_from: null,
        failover_attempts: 0,
        status: 'success',
        error_message: null,
        created_at: clock.now().toISOString(),
      },
    });
    await call('POST', `/v1/runs/${run.id}/steps`, {
      key: agent.key,
      body: { ...toolStep, cost_usd: 0.2, tokens: { input: 1 } },
    });

    const after = await runRow(run.id);
    // 0.1000000001 + 0.1 + 0.2, exactly: no float drift in the totals.
    expect(after.totalCostUsd).toBe('0.4000000001');
    expect(after).toMatchObject({
      stepCount: before.stepCount + 2,
      inputTokens: before.inputTokens + 8,
      outputTokens: before.outputTokens + 3,
      cacheReadTokens: before.cacheReadTokens,
      cacheCreationTokens: before.cacheCreationTokens,
      totalTokens: before.totalTokens + 11,
      lastStepAt: clock.now(),
      primaryModel: before.primaryModel,
    });
    const ledger = await ledgerTotals(run.id);
    expect(ledger).toEqual({
      cost: after.totalCostUsd,
      input: after.inputTokens,
      output: after.outputTokens,
      cacheRead: after.cacheReadTokens,
      cacheCreation: after.cacheCreationTokens,
      entries: 3,
    });
    const [toolLedger] = await h.services.deps.db
      .select()
      .from(ledgerEntries)
      .where(eq(ledgerEntries.stepId, res.body.data.id));
    expect(toolLedger).toMatchObject({
      provider: 'serpapi',
      model: 'web_search',
      costUsd: '0.1000000000',
      agentId: agent.id,
    });

    const listed = await call('GET', `/v1/runs/${run.id}/steps`, { key: agent.key });
    expect(listed.body.data.map((s: { type: string }) => s.type)).toEqual(['llm_call', 'tool_call', 'tool_call']);
  });

  it('applies defaults, records failures, and adds no ledger entry for a free call', async () => {
    const agent = await freshAgent();
    const run = await seedRun(agent);
    const res = await call('POST', `/v1/runs/${run.id}/steps`, {
      key: agent.key,
      body: { ...toolStep, name: 'database_query', status: 'error', error_message: 'connection refused' },
    });
    expect(res.status).toBe(201);
    expect(res.body.data).toMatchObject({
      provider: 'sdk',
      model: 'database_query',
      status: 'error',
      error_message: 'connection refused',
      cost_usd: 0,
      latency_ms: 0,
    });
    expect(res.body.data).not.toHaveProperty('request');
    expect(await runRow(run.id)).toMatchObject({ stepCount: 1, totalCostUsd: '0.0000000000', totalTokens: 0 });
    expect((await ledgerTotals(run.id)).entries).toBe(0);
  });

  it('keeps a redaction marker instead of content when the run’s policy disables content logging', async () => {
    const agent = await freshAgent();
    const run = await seedRun(agent, { policySnapshot: { ...h.policy, content_logging: 'disabled' } });
    const res = await call('POST', `/v1/runs/${run.id}/steps`, {
      key: agent.key,
      body: { ...toolStep, request: { q: 'secret' }, response: { a: 'secret' } },
    });
    expect(res.body.data).toMatchObject({ request: { redacted: true }, response: { redacted: true } });
  });

  it('409 on an ended run, 403 / 404 on runs that are not the caller’s; nothing is written', async () => {
    const agent = await freshAgent();
    const ended = await seedRun(agent, { status: 'completed', endedAt: minutesAgo(1) });
    const conflict = await call('POST', `/v1/runs/${ended.id}/steps`, {
      key: agent.key,
      body: { ...toolStep, cost_usd: 1 },
    });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toEqual({
      error: { type: 'conflict', message: expect.stringContaining('status: completed') },
    });

    const sibling = await seedRun(h.agent);
    const other = await seedRun(foreign);
    expect(await call('POST', `/v1/runs/${sibling.id}/steps`, { key: agent.key, body: toolStep })).toEqual({
      status: 403,
      body: forbiddenRun,
    });
    expect(await call('POST', `/v1/runs/${other.id}/steps`, { key: agent.key, body: toolStep })).toEqual({
      status: 404,
      body: runNotFound,
    });
    expect(await call('POST', `/v1/runs/${randomUUID()}/steps`, { key: agent.key, body: toolStep })).toEqual({
      status: 404,
      body: runNotFound,
    });
    for (const id of [ended.id, sibling.id, other.id]) expect((await runRow(id)).stepCount).toBe(0);
  });

  it('400 for bad bodies, with the field', async () => {
    const agent = await freshAgent();
    const run = await seedRun(agent);
    const cases: [unknown, string][] = [
      [{ name: 'x', status: 'success' }, 'type'],
      [{ ...toolStep, type: 'llm_call' }, 'type'],
      [{ type: 'tool_call', status: 'success' }, 'name'],
      [{ ...toolStep, name: '' }, 'name'],
      [{ type: 'tool_call', name: 'x' }, 'status'],
      [{ ...toolStep, status: 'done' }, 'status'],
      [{ ...toolStep, cost_usd: -1 }, 'cost_usd'],
      [{ ...toolStep, cost_usd: 1e12 }, 'cost_usd'],
      [{ ...toolStep, cost_usd: '0.1' }, 'cost_usd'],
      [{ ...toolStep, tokens: { input: 1.5 } }, 'tokens.input'],
      [{ ...toolStep, tokens: { output: -3 } }, 'tokens.output'],
      [{ ...toolStep, latency_ms: -1 }, 'latency_ms'],
      [{ ...toolStep, latency_ms: 1e12 }, 'latency_ms'],
      [{ ...toolStep, request: ['not', 'an', 'object'] }, 'request'],
    ];
    for (const [body, field] of cases) {
      const res = await call('POST', `/v1/runs/${run.id}/steps`, { key: agent.key, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.type).toBe('validation_error');
      expect(Object.keys(res.body.error.fields), JSON.stringify(body)).toContain(field);
    }
    expect((await call('POST', `/v1/runs/${run.id}/steps`, { key: agent.key })).status).toBe(400);
    expect((await runRow(run.id)).stepCount).toBe(0);
  });

  it('refuses a disabled agent with 403', async () => {
    const agent = await freshAgent();
    const run = await seedRun(agent);
    await h.updateAgent({ status: 'disabled' }, agent.id);
    expect(await call('POST', `/v1/runs/${run.id}/steps`, { key: agent.key, body: toolStep })).toEqual({
      status: 403,
      body: { error: { type: 'forbidden', message: 'Agent is disabled' } },
    });
  });
});

// ---- completing runs ----------------------------------------------------------------------------------

describe('POST /v1/runs/{id}/complete', () => {
  it('completes the run and answers the RunCompletionResponse; 409 the second time', async () => {
    const agent = await freshAgent();
    const run = await seedRun(agent, { name: 'job-7', primaryModel: 'gpt-4o-mini', startedAt: minutesAgo(2) });
    await seedLlmStep(run, '0.0300000000', { input: 100, output: 20, cacheRead: 5, cacheCreation: 1 });
    await seedLlmStep(run, '0', NO_USAGE, {
      status: 'policy_blocked',
      governanceBlock: true,
      response: { error: { code: 'model_not_allowed' } },
    });

    const res = await call('POST', `/v1/runs/${run.id}/complete`, { key: agent.key });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: {
        id: run.id,
        name: 'job-7',
        status: 'completed',
        ended_at: clock.now().toISOString(),
        ended_reason: 'agent_signaled',
        completion_reason: 'explicit',
        outcome: 'success',
        outcome_reason: null,
        step_count: 2,
        cost_usd: 0.03,
        tokens_used: { input: 100, output: 20, cache_read: 5, cache_creation: 1, total: 126 },
        duration_ms: 120_000,
        policy_name: 'harness-policy',
        primary_model: 'gpt-4o-mini',
        governance_events: [{ type: 'model_not_allowed', count: 1 }],
        limits_hit: true,
      },
    });
    expect(await eventsOf(run.id)).toEqual(['run.completed']);

    const again = await call('POST', `/v1/runs/${run.id}/complete`, { key: agent.key });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ error: { type: 'conflict', message: 'Run is not running (status: completed)' } });
  });

  it('takes ended_reason, outcome, outcome_reason and metadata from the body', async () => {
    const agent = await freshAgent();
    const run = await seedRun(agent, { metadata: { job: 'nightly', attempt: 1 } });
    const res = await call('POST', `/v1/runs/${run.id}/complete`, {
      key: agent.key,
      body: {
        ended_reason: 'task_done',
        outcome: 'partial',
        outcome_reason: '3 of 4 files',
        metadata: { attempt: 2, files: 3 },
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      status: 'completed',
      ended_reason: 'task_done',
      outcome: 'partial',
      outcome_reason: '3 of 4 files',
      limits_hit: false,
      governance_events: [],
    });
    expect((await runRow(run.id)).metadata).toEqual({ job: 'nightly', attempt: 2, files: 3 });
  });

  it('403 / 404 for runs that are not the caller’s, 400 for a bad body, 403 for a disabled agent', async () => {
    const agent = await freshAgent();
    const sibling = await seedRun(h.agent);
    const other = await seedRun(foreign);
    expect(await call('POST', `/v1/runs/${sibling.id}/complete`, { key: agent.key })).toEqual({
      status: 403,
      body: forbiddenRun,
    });
    expect(await call('POST', `/v1/runs/${other.id}/complete`, { key: agent.key })).toEqual({
      status: 404,
      body: runNotFound,
    });
    expect(await call('POST', `/v1/runs/${randomUUID()}/complete`, { key: agent.key })).toEqual({
      status: 404,
      body: runNotFound,
    });
    expect((await runRow(sibling.id)).status).toBe('running');
    expect((await runRow(other.id)).status).toBe('running');

    const own = await seedRun(agent);
    for (const [body, field] of [
      [{ outcome: 'great' }, 'outcome'],
      [{ ended_reason: '' }, 'ended_reason'],
      [{ metadata: 'x' }, 'metadata'],
      [{ outcome_reason: 'x'.repeat(1025) }, 'outcome_reason'],
    ] as const) {
      const res = await call('POST', `/v1/runs/${own.id}/complete`, { key: agent.key, body });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.error.fields)).toContain(field);
    }

    await h.updateAgent({ status: 'disabled' }, agent.id);
    expect(await call('POST', `/v1/runs/${own.id}/complete`, { key: agent.key })).toEqual({
      status: 403,
      body: { error: { type: 'forbidden', message: 'Agent is disabled' } },
    });
    expect((await runRow(own.id)).status).toBe('running');
  });
});

describe('POST /v1/runs/current/complete', () => {
  it('completes the latest running run; 404 when none is running', async () => {
    const agent = await freshAgent();
    const older = await seedRun(agent, { startedAt: minutesAgo(20) });
    const latest = await seedRun(agent, { startedAt: minutesAgo(5) });
    const res = await call('POST', '/v1/runs/current/complete', { key: agent.key, body: { outcome: 'failed' } });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({
      id: latest.id,
      status: 'completed',
      ended_reason: 'agent_signaled',
      outcome: 'failed',
    });
    expect((await runRow(older.id)).status).toBe('running');

    expect((await call('POST', '/v1/runs/current/complete', { key: agent.key })).body.data.id).toBe(older.id);
    expect(await call('POST', '/v1/runs/current/complete', { key: agent.key })).toEqual({
      status: 404,
      body: noRunningRun,
    });
  });

  it('keeps an outcome the agent set earlier and honours the policy’s outcome default for the reason', async () => {
    const agent = await freshAgent();
    await seedRun(agent);
    await call('PATCH', '/v1/runs/current', { key: agent.key, body: { outcome: 'partial' } });
    expect((await call('POST', '/v1/runs/current/complete', { key: agent.key })).body.data.outcome).toBe('partial');

    await seedRun(agent, { policySnapshot: { ...h.policy, outcome_defaults: { agent_signaled: 'failed' } } });
    expect((await call('POST', '/v1/runs/current/complete', { key: agent.key })).body.data.outcome).toBe('failed');
  });

  it('answers a disabled agent with the governance block', async () => {
    const agent = await freshAgent();
    const run = await seedRun(agent);
    await h.updateAgent({ status: 'disabled' }, agent.id);
    const res = await call('POST', '/v1/runs/current/complete', { key: agent.key });
    expect(res).toEqual({
      status: 403,
      body: {
        error: {
          type: 'governance_block',
          code: 'agent_disabled',
          message: 'Agent is disabled',
          run_id: null,
          context: { agent_name: agent.name },
        },
      },
    });
    expect((await runRow(run.id)).status).toBe('running');
  });
});

describe('POST /v1/runs/complete-all', () => {
  it('completes every running run of the caller only, and is idempotent', async () => {
    const agent = await freshAgent();
    const a = await seedRun(agent, { startedAt: minutesAgo(3) });
    const b = await seedRun(agent, { startedAt: minutesAgo(2) });
    const ended = await seedRun(agent, { status: 'force_stopped', endedAt: minutesAgo(1) });
    const sibling = await seedRun(h.agent);

    const res = await call('POST', '/v1/runs/complete-all', { key: agent.key });
    expect(res.status).toBe(200);
    expect(res.body.completed_count).toBe(2);
    expect([...res.body.completed_run_ids].sort()).toEqual([a.id, b.id].sort());
    for (const id of [a.id, b.id])
      expect(await runRow(id)).toMatchObject({
        status: 'completed',
        endedReason: 'agent_complete_all',
        completionReason: 'explicit',
        outcome: 'success',
      });
    expect((await runRow(ended.id)).status).toBe('force_stopped');
    expect((await runRow(sibling.id)).status).toBe('running');

    expect(await call('POST', '/v1/runs/complete-all', { key: agent.key, body: {} })).toEqual({
      status: 200,
      body: { completed_count: 0, completed_run_ids: [] },
    });
  });

  it('stores a custom ended_reason; 400 for a bad one', async () => {
    const agent = await freshAgent();
    const run = await seedRun(agent);
    const bad = await call('POST', '/v1/runs/complete-all', {
      key: agent.key,
      body: { ended_reason: 'x'.repeat(256) },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toHaveProperty('ended_reason');
    expect((await runRow(run.id)).status).toBe('running');

    const res = await call('POST', '/v1/runs/complete-all', { key: agent.key, body: { ended_reason: 'job_finished' } });
    expect(res.body).toEqual({ completed_count: 1, completed_run_ids: [run.id] });
    expect((await runRow(run.id)).endedReason).toBe('job_finished');
  });
});

// ---- the accounting identity over everything written above --------------------------------------------

describe('accounting identity', () => {
  it('holds for every run: totals equal the sum of the run’s ledger', async () => {
    const db = h.services.deps.db;
    const all = await db.select().from(runs).where(eq(runs.orgId, h.orgId));
    expect(all.filter((run) => Number(run.totalCostUsd) > 0).length).toBeGreaterThan(5);
    for (const run of all) {
      const { cost, input, output, cacheRead, cacheCreation } = await ledgerTotals(run.id);
      expect({ cost, input, output, cacheRead, cacheCreation }, run.id).toEqual({
        cost: run.totalCostUsd,
        input: run.inputTokens,
        output: run.outputTokens,
        cacheRead: run.cacheReadTokens,
        cacheCreation: run.cacheCreationTokens,
      });
      expect(run.totalTokens).toBe(input + output + cacheRead + cacheCreation);
    }
  });
});
