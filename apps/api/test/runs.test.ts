import { randomUUID } from 'node:crypto';
import { events, runs } from '@rungate/db';
import { isForceStopCooldownActive } from '@rungate/governance';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';
import { seedAgent, seedRun, seedStep } from './run-fixtures.ts';

let h: Harness;
let T: Date;
const ago = (minutes: number) => new Date(T.getTime() - minutes * 60_000);
const ids = (res: { json(): { data: { id: string }[] } }) => res.json().data.map((r) => r.id);

/** Three runs of tenant a for the list tests, one of tenant b that must never show. */
let r1: typeof runs.$inferSelect;
let r2: typeof runs.$inferSelect;
let r3: typeof runs.$inferSelect;
let rb: typeof runs.$inferSelect;
let owner1: Awaited<ReturnType<typeof seedAgent>>;
let owner2: Awaited<ReturnType<typeof seedAgent>>;

beforeAll(async () => {
  h = await createHarness();
  T = h.clock.now();
  const db = h.services.deps.db;
  owner1 = await seedAgent(db, h.a.orgId, 'lister-1');
  owner2 = await seedAgent(db, h.a.orgId, 'lister-2');
  const ownerB = await seedAgent(db, h.b.orgId, 'other-tenant');
  r1 = await seedRun(db, owner1, {
    name: 'alpha',
    status: 'completed',
    startedAt: ago(180),
    endedAt: ago(120),
    endedReason: 'agent_signaled',
    completionReason: 'explicit',
    outcome: 'success',
    totalCostUsd: '0.5',
    inputTokens: 200,
    outputTokens: 80,
    cacheReadTokens: 15,
    cacheCreationTokens: 5,
    totalTokens: 300,
    stepCount: 3,
    lastStepAt: ago(125),
    hasGovernanceBlock: true,
    primaryModel: 'gpt-4o',
    metadata: { job: 'nightly' },
    budget: { hard_limit_usd: 5 },
  });
  r2 = await seedRun(db, owner1, {
    name: 'beta',
    startedAt: ago(120),
    totalCostUsd: '1.25',
    totalTokens: 100,
    inputTokens: 100,
    stepCount: 1,
    lastStepAt: ago(5),
    hadFailover: true,
  });
  r3 = await seedRun(db, owner2, {
    status: 'force_stopped',
    startedAt: ago(60),
    endedAt: ago(30),
    forceStoppedAt: ago(30),
    totalCostUsd: '0.1',
    totalTokens: 1000,
    inputTokens: 1000,
    stepCount: 5,
    lastStepAt: ago(31),
  });
  rb = await seedRun(db, ownerB, { startedAt: ago(30) });
});
afterAll(() => h.close());

const get = (url: string, token = h.a.tokens.read) => h.request({ method: 'GET', url, token });
const post = (url: string, token = h.a.tokens.write, body?: unknown) =>
  h.request({ method: 'POST', url, token, ...(body === undefined ? {} : { body }) });

describe('GET /api/runs', () => {
  it('lists the tenant’s runs newest first with the spec’s shape', async () => {
    const res = await get('/api/runs');
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBe(3);
    expect(ids(res)).toEqual([r3.id, r2.id, r1.id]);
    expect(res.json().data[2]).toEqual({
      id: r1.id,
      agent_id: owner1.agent.id,
      org_id: h.a.orgId,
      agent_name: 'lister-1',
      name: 'alpha',
      primary_model: 'gpt-4o',
      status: 'completed',
      creation_method: 'implicit',
      ended_reason: 'agent_signaled',
      completion_reason: 'explicit',
      budget: { hard_limit_usd: 5 },
      alert_threshold_exceeded: false,
      alert_sent_at: null,
      tokens_used: { input: 200, output: 80, cache_read: 15, cache_creation: 5, total: 300 },
      cost_usd: 0.5,
      policy_name: 'lister-1-policy',
      policy_snapshot: { name: 'lister-1-policy' },
      step_count: 3,
      last_step_at: ago(125).toISOString(),
      started_at: ago(180).toISOString(),
      ended_at: ago(120).toISOString(),
      force_stop_lifted_at: null,
      has_governance_block: true,
      outcome: 'success',
      outcome_reason: null,
      metadata: { job: 'nightly' },
    });
    expect(res.json().data.map((r: { org_id: string }) => r.org_id)).not.toContain(h.b.orgId);
  });

  it('applies every filter', async () => {
    const cases: [string, string[]][] = [
      [`agent_id=${owner2.agent.id}`, [r3.id]],
      [`agent_id=${rb.agentId}`, []],
      ['status=running', [r2.id]],
      ['status=force_stopped', [r3.id]],
      [`since=${encodeURIComponent(ago(120).toISOString())}`, [r3.id, r2.id]],
      [`until=${encodeURIComponent(ago(120).toISOString())}`, [r1.id]],
      [
        `since=${encodeURIComponent(ago(150).toISOString())}&until=${encodeURIComponent(ago(90).toISOString())}`,
        [r2.id],
      ],
      ['had_governance_block=true', [r1.id]],
      ['had_governance_block=false', [r3.id, r2.id]],
      ['had_failover=true', [r2.id]],
      ['had_failover=false', [r3.id, r1.id]],
      [`agent_id=${owner1.agent.id}&status=completed&had_governance_block=true`, [r1.id]],
    ];
    for (const [query, expected] of cases) {
      const res = await get(`/api/runs?${query}`);
      expect(res.statusCode, query).toBe(200);
      expect(ids(res), query).toEqual(expected);
      expect(res.json().total, query).toBe(expected.length);
    }
  });

  it('sorts by every sortable column in both orders and pages with limit/offset', async () => {
    const cases: [string, string[]][] = [
      ['sort=started_at&order=asc', [r1.id, r2.id, r3.id]],
      ['sort=cost_usd&order=asc', [r3.id, r1.id, r2.id]],
      ['sort=cost_usd', [r2.id, r1.id, r3.id]],
      ['sort=tokens_used&order=desc', [r3.id, r1.id, r2.id]],
      ['sort=total_tokens&order=asc', [r2.id, r1.id, r3.id]],
      ['sort=step_count&order=asc', [r2.id, r1.id, r3.id]],
      ['sort=name&order=asc', [r1.id, r2.id, r3.id]],
      ['sort=name&order=desc', [r2.id, r1.id, r3.id]],
      ['sort=ended_at&order=desc', [r3.id, r1.id, r2.id]],
      ['sort=ended_at&order=asc', [r1.id, r3.id, r2.id]],
      ['sort=last_step_at&order=desc', [r2.id, r3.id, r1.id]],
      ['sort=status&order=asc', [r1.id, r3.id, r2.id]],
    ];
    for (const [query, expected] of cases) {
      const res = await get(`/api/runs?${query}`);
      expect(res.statusCode, query).toBe(200);
      expect(ids(res), query).toEqual(expected);
    }
    const page = await get('/api/runs?limit=1&offset=1');
    expect(ids(page)).toEqual([r2.id]);
    expect(page.json().total).toBe(3);
    expect(ids(await get('/api/runs?limit=2&offset=2'))).toEqual([r1.id]);
    expect(ids(await get('/api/runs?offset=10'))).toEqual([]);
  });

  it('answers 400 with field details for bad query values', async () => {
    const cases: [string, string][] = [
      ['sort=bogus', 'sort'],
      ['sort=agent_id', 'sort'],
      ['order=up', 'order'],
      ['limit=0', 'limit'],
      ['limit=201', 'limit'],
      ['limit=ten', 'limit'],
      ['offset=-1', 'offset'],
      ['status=paused', 'status'],
      ['agent_id=not-a-uuid', 'agent_id'],
      ['since=yesterday', 'since'],
      ['until=2026-13-45', 'until'],
      ['had_governance_block=yes', 'had_governance_block'],
      ['had_failover=1', 'had_failover'],
    ];
    for (const [query, field] of cases) {
      const res = await get(`/api/runs?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.type, query).toBe('validation_error');
      expect(Object.keys(res.json().error.fields), query).toContain(field);
    }
    expect((await get('/api/runs?limit=200')).statusCode).toBe(200);
  });

  it('needs credentials', async () => {
    const res = await h.request({ method: 'GET', url: '/api/runs' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'Authentication required' });
  });
});

describe('GET /api/runs/{id}', () => {
  it('returns the run, 404 across tenants or when missing, 400 for a malformed id', async () => {
    const res = await get(`/api/runs/${r2.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      id: r2.id,
      status: 'running',
      cost_usd: 1.25,
      agent_name: 'lister-1',
      ended_at: null,
    });
    const cross = await get(`/api/runs/${rb.id}`);
    expect(cross.statusCode).toBe(404);
    expect(cross.json()).toEqual({ error: { type: 'not_found', message: 'Run not found' } });
    expect((await get('/api/runs/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    const bad = await get('/api/runs/nope');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toHaveProperty('id');
  });
});

describe('PATCH /api/runs/{id}', () => {
  const patch = (id: string, body: unknown, token = h.a.tokens.write) =>
    h.request({ method: 'PATCH', url: `/api/runs/${id}`, token, body });

  it('renames a run in any status', async () => {
    for (const run of [r1, r3]) {
      const res = await patch(run.id, { name: `renamed-${run.id.slice(0, 4)}` });
      expect(res.statusCode).toBe(200);
      expect(res.json().data).toMatchObject({ id: run.id, name: `renamed-${run.id.slice(0, 4)}`, status: run.status });
    }
    const [row] = await h.services.deps.db.select().from(runs).where(eq(runs.id, r1.id));
    expect(row!.name).toBe(`renamed-${r1.id.slice(0, 4)}`);
    await patch(r1.id, { name: 'alpha' });
    await patch(r3.id, { name: null as unknown as string }).then((res) => expect(res.statusCode).toBe(400));
  });

  it('validates, hides other tenants and needs the write scope', async () => {
    const long = await patch(r2.id, { name: 'x'.repeat(256) });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.fields).toHaveProperty('name');
    expect((await patch(r2.id, {})).statusCode).toBe(400);
    expect((await patch(rb.id, { name: 'mine now' })).statusCode).toBe(404);
    const readOnly = await patch(r2.id, { name: 'nope' }, h.a.tokens.read);
    expect(readOnly.statusCode).toBe(403);
    expect(readOnly.json()).toMatchObject({ error: { type: 'forbidden' } });
  });
});

describe('steps and ledger', () => {
  let run: typeof runs.$inferSelect;
  beforeAll(async () => {
    const db = h.services.deps.db;
    const owner = await seedAgent(db, h.a.orgId, 'stepper');
    run = await seedRun(db, owner, { startedAt: ago(10) });
    await seedStep(
      db,
      run,
      { stepNumber: 2, costUsd: '0.0300000000', inputTokens: 30, outputTokens: 3, latencyMs: 900, streaming: true },
      ago(8),
    );
    await seedStep(
      db,
      run,
      {
        stepNumber: 1,
        costUsd: '0.0100000000',
        inputTokens: 10,
        outputTokens: 1,
        cacheReadTokens: 4,
        latencyMs: 100,
        request: { model: 'gpt-4o' },
        response: { id: 'chatcmpl-1' },
      },
      ago(9),
    );
    await seedStep(
      db,
      run,
      {
        stepNumber: 3,
        status: 'policy_blocked',
        response: { error: { code: 'model_not_allowed' } },
        errorMessage: 'blocked',
        latencyMs: 1,
      },
      ago(7),
    );
    await seedStep(
      db,
      run,
      {
        stepNumber: 4,
        type: 'failover_transition',
        status: 'error',
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        failoverAttempts: 1,
        failoverContext: {
          attempted: [{ provider: 'openai', provider_key_id: randomUUID(), status: 503, error: 'down' }],
          resolved_provider: 'anthropic',
          resolved_model: 'claude-sonnet-4-5',
          original_model: 'gpt-4o',
        },
      },
      ago(6),
    );
  });

  it('lists steps by step number with the Step shape', async () => {
    const res = await get(`/api/runs/${run.id}/steps`);
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBe(4);
    const data = res.json().data;
    expect(data.map((s: { status: string }) => s.status)).toEqual(['success', 'success', 'policy_blocked', 'error']);
    expect(data[0]).toEqual({
      id: expect.any(String),
      run_id: run.id,
      type: 'llm_call',
      provider: 'openai',
      model: 'gpt-4o',
      streaming: false,
      request: { model: 'gpt-4o' },
      response: { id: 'chatcmpl-1' },
      tokens: { input: 10, output: 1, cache_read: 4, cache_creation: 0 },
      cost_usd: 0.01,
      latency_ms: 100,
      routed_from: null,
      failover_attempts: 0,
      status: 'success',
      error_message: null,
      created_at: ago(9).toISOString(),
    });
    expect(data[2].response).toEqual({ error: { code: 'model_not_allowed' } });
    expect(data[3].failover_context).toMatchObject({ resolved_provider: 'anthropic', original_model: 'gpt-4o' });
    expect(data[0]).not.toHaveProperty('failover_context');
  });

  it('sorts, pages and validates steps; 404 across tenants', async () => {
    const costs = await get(`/api/runs/${run.id}/steps?sort=cost_usd&order=desc`);
    expect(costs.json().data.map((s: { cost_usd: number }) => s.cost_usd)).toEqual([0.03, 0.01, 0, 0]);
    const latest = await get(`/api/runs/${run.id}/steps?sort=created_at&order=desc&limit=1`);
    expect(latest.json().data[0].type).toBe('failover_transition');
    expect(latest.json().total).toBe(4);
    const paged = await get(`/api/runs/${run.id}/steps?limit=2&offset=1`);
    expect(paged.json().data.map((s: { latency_ms: number }) => s.latency_ms)).toEqual([900, 1]);
    expect((await get(`/api/runs/${run.id}/steps?sort=latency_ms`)).json().data[0].latency_ms).toBe(0);
    const bad = await get(`/api/runs/${run.id}/steps?sort=provider`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toHaveProperty('sort');
    expect((await get(`/api/runs/${run.id}/steps?limit=500`)).statusCode).toBe(400);
    expect((await get(`/api/runs/${run.id}/steps`, h.b.tokens.read)).statusCode).toBe(404);
    expect((await get(`/api/runs/${rb.id}/steps`)).json()).toMatchObject({ error: { type: 'not_found' } });
  });

  it('lists the ledger: one entry per billed step, 404 across tenants', async () => {
    const res = await get(`/api/runs/${run.id}/ledger`);
    expect(res.statusCode).toBe(200);
    expect(res.json().total).toBe(2);
    expect(res.json().data).toEqual([
      {
        id: expect.any(String),
        run_id: run.id,
        step_id: expect.any(String),
        agent_id: run.agentId,
        provider: 'openai',
        model: 'gpt-4o',
        tokens: { input: 10, output: 1, cache_read: 4, cache_creation: 0 },
        cost_usd: 0.01,
        created_at: ago(9).toISOString(),
      },
      {
        id: expect.any(String),
        run_id: run.id,
        step_id: expect.any(String),
        agent_id: run.agentId,
        provider: 'openai',
        model: 'gpt-4o',
        tokens: { input: 30, output: 3, cache_read: 0, cache_creation: 0 },
        cost_usd: 0.03,
        created_at: ago(8).toISOString(),
      },
    ]);
    expect((await get(`/api/runs/${run.id}/ledger`, h.b.tokens.admin)).statusCode).toBe(404);
  });
});

describe('POST /api/runs/{id}/complete', () => {
  it('completes a running run as admin_completed, applying the policy’s outcome default', async () => {
    const owner = await seedAgent(h.services.deps.db, h.a.orgId, 'completer', {
      outcome_defaults: { admin_completed: 'partial' },
    });
    const run = await seedRun(h.services.deps.db, owner, { startedAt: ago(3) });
    const res = await post(`/api/runs/${run.id}/complete`);
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      id: run.id,
      status: 'completed',
      ended_reason: 'admin_completed',
      completion_reason: 'explicit',
      outcome: 'partial',
      ended_at: T.toISOString(),
      agent_name: 'completer',
    });
    const again = await post(`/api/runs/${run.id}/complete`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: { type: 'conflict', message: 'Run is not running (status: completed)' } });
    const queued = await h.services.deps.db.select().from(events).where(eq(events.orgId, h.a.orgId));
    expect(
      queued.filter((e) => e.type === 'run.completed' && (e.data.run as { id: string }).id === run.id),
    ).toHaveLength(1);
  });

  it('stores a custom reason as given and defaults the outcome to success', async () => {
    const owner = await seedAgent(h.services.deps.db, h.a.orgId, 'custom-completer');
    const run = await seedRun(h.services.deps.db, owner);
    const res = await post(`/api/runs/${run.id}/complete`, h.a.tokens.write, { reason: 'job_finished' });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ status: 'completed', ended_reason: 'job_finished', outcome: 'success' });
    expect((await post(`/api/runs/${r3.id}/complete`)).statusCode).toBe(409);
  });

  it('validates the body, hides other tenants and needs the write scope', async () => {
    expect((await post(`/api/runs/${r2.id}/complete`, h.a.tokens.write, { reason: '' })).statusCode).toBe(400);
    expect((await post(`/api/runs/${rb.id}/complete`)).statusCode).toBe(404);
    const readOnly = await post(`/api/runs/${r2.id}/complete`, h.a.tokens.read);
    expect(readOnly.statusCode).toBe(403);
    expect(readOnly.json()).toMatchObject({ error: { type: 'forbidden' } });
    expect((await get(`/api/runs/${r2.id}`)).json().data.status).toBe('running');
  });
});

describe('stop and unblock', () => {
  it('force-stops a running run, blocks implicit runs until unblocked', async () => {
    const db = h.services.deps.db;
    const owner = await seedAgent(db, h.a.orgId, 'runaway', { outcome_defaults: { admin_stopped: 'failed' } });
    const run = await seedRun(db, owner);
    const earlier = await seedRun(db, owner, {
      status: 'force_stopped',
      startedAt: ago(20),
      endedAt: ago(15),
      forceStoppedAt: ago(15),
    });

    const readOnly = await post(`/api/runs/${run.id}/stop`, h.a.tokens.read);
    expect(readOnly.statusCode).toBe(403);
    expect((await post(`/api/runs/${run.id}/stop`, h.b.tokens.write)).statusCode).toBe(404);

    const res = await post(`/api/runs/${run.id}/stop`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: { message: 'Run force-stopped' } });
    const stopped = (await get(`/api/runs/${run.id}`)).json().data;
    expect(stopped).toMatchObject({
      status: 'force_stopped',
      ended_reason: 'admin_stopped',
      outcome: 'failed',
      ended_at: T.toISOString(),
      force_stop_lifted_at: null,
    });
    const again = await post(`/api/runs/${run.id}/stop`);
    expect(again.statusCode).toBe(400);
    expect(again.json().error.type).toBe('validation_error');

    expect(await isForceStopCooldownActive(db, owner.agent.id, owner.policy.id, 60, h.clock.now())).toBe(true);
    expect(await isForceStopCooldownActive(db, owner.agent.id, owner.policy.id, 0, h.clock.now())).toBe(false);

    expect((await post(`/api/runs/${r2.id}/unblock`)).statusCode).toBe(400);
    expect((await post(`/api/runs/${run.id}/unblock`, h.a.tokens.read)).statusCode).toBe(403);
    expect((await post(`/api/runs/${run.id}/unblock`, h.b.tokens.write)).statusCode).toBe(404);

    h.clock.advance(1000);
    const lifted = await post(`/api/runs/${run.id}/unblock`);
    expect(lifted.statusCode).toBe(200);
    expect(lifted.json().data).toEqual({ message: expect.any(String), lifted_at: h.clock.now().toISOString() });
    // The block is per agent+policy: the earlier force-stop is lifted too.
    expect(await isForceStopCooldownActive(db, owner.agent.id, owner.policy.id, 60, h.clock.now())).toBe(false);
    expect((await get(`/api/runs/${earlier.id}`)).json().data.force_stop_lifted_at).toBe(h.clock.now().toISOString());

    const firstLift = h.clock.now().toISOString();
    h.clock.advance(1000);
    const twice = await post(`/api/runs/${run.id}/unblock`);
    expect(twice.json().data.lifted_at).toBe(firstLift);
    expect((await get(`/api/runs/${run.id}`)).json().data.force_stop_lifted_at).toBe(firstLift);
  });

  it('ends the cooldown on its own after force_stop_cooldown_minutes', async () => {
    const db = h.services.deps.db;
    const owner = await seedAgent(db, h.a.orgId, 'cooling');
    const run = await seedRun(db, owner);
    expect((await post(`/api/runs/${run.id}/stop`)).statusCode).toBe(200);
    expect((await get(`/api/runs/${run.id}`)).json().data.outcome).toBeNull();
    const now = h.clock.now();
    expect(
      await isForceStopCooldownActive(db, owner.agent.id, owner.policy.id, 5, new Date(now.getTime() + 4 * 60_000)),
    ).toBe(true);
    expect(
      await isForceStopCooldownActive(db, owner.agent.id, owner.policy.id, 5, new Date(now.getTime() + 5 * 60_000)),
    ).toBe(false);
    expect(await isForceStopCooldownActive(db, owner.agent.id, owner2.policy.id, 5, now)).toBe(false);
  });
});

describe('tRPC and GraphQL', () => {
  const trpc = (path: string, token: string, input?: unknown) =>
    h.request({
      method: 'GET',
      url: `/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
      token,
    });
  const mutate = (path: string, token: string, input: unknown) =>
    h.request({ method: 'POST', url: `/trpc/${path}`, token, body: input });
  const graphql = (query: string, token: string, variables?: Record<string, unknown>) =>
    h.request({ method: 'POST', url: '/graphql', token, body: { query, variables } });

  it('serves the same runs through tRPC', async () => {
    const list = await trpc('runs.list', h.a.tokens.read, {
      agent_id: owner1.agent.id,
      sort: 'cost_usd',
      order: 'asc',
    });
    expect(list.statusCode).toBe(200);
    expect(list.json().result.data.data.map((r: { id: string }) => r.id)).toEqual([r1.id, r2.id]);
    expect((await trpc('runs.list', h.a.tokens.read)).json().result.data.data.length).toBeGreaterThan(0);
    expect((await trpc('runs.get', h.a.tokens.read, { id: rb.id })).statusCode).toBe(404);
    expect((await trpc('runs.list', h.a.tokens.read, { sort: 'bogus' })).statusCode).toBe(400);
    expect((await trpc('runs.steps', h.a.tokens.read, { id: r1.id })).json().result.data.total).toBe(0);
    expect((await trpc('runs.ledger', h.a.tokens.read, { id: r1.id })).json().result.data.data).toEqual([]);
    expect((await mutate('runs.rename', h.a.tokens.read, { id: r2.id, name: 'x' })).statusCode).toBe(403);
    const renamed = await mutate('runs.rename', h.a.tokens.write, { id: r2.id, name: 'beta' });
    expect(renamed.json().result.data).toMatchObject({ id: r2.id, name: 'beta' });
    const owner = await seedAgent(h.services.deps.db, h.a.orgId, 'trpc-runner');
    const run = await seedRun(h.services.deps.db, owner);
    const completed = await mutate('runs.complete', h.a.tokens.write, { id: run.id });
    expect(completed.json().result.data).toMatchObject({
      status: 'completed',
      ended_reason: 'admin_completed',
      outcome: 'success',
    });
    expect((await mutate('runs.complete', h.a.tokens.write, { id: run.id })).statusCode).toBe(409);
    const other = await seedRun(h.services.deps.db, owner);
    expect((await mutate('runs.stop', h.a.tokens.write, { id: other.id })).json().result.data.message).toBe(
      'Run force-stopped',
    );
    expect((await mutate('runs.unblock', h.a.tokens.write, { id: other.id })).json().result.data.lifted_at).toBeTypeOf(
      'string',
    );
  });

  it('serves runs(filters) and run(id) through GraphQL', async () => {
    const list = await graphql(
      'query($f: RunFilters) { runs(filters: $f) { total data { id agent_name policy_name cost_usd status tokens_used { total } started_at ended_at } } }',
      h.a.tokens.read,
      { f: { agent_id: owner1.agent.id, had_failover: false } },
    );
    expect(list.json().errors).toBeUndefined();
    expect(list.json().data.runs).toEqual({
      total: 1,
      data: [
        {
          id: r1.id,
          agent_name: 'lister-1',
          policy_name: 'lister-1-policy',
          cost_usd: 0.5,
          status: 'completed',
          tokens_used: { total: 300 },
          started_at: ago(180).toISOString(),
          ended_at: ago(120).toISOString(),
        },
      ],
    });
    const one = await graphql('query($id: ID!) { run(id: $id) { id name } }', h.a.tokens.read, { id: r2.id });
    expect(one.json().data.run).toEqual({ id: r2.id, name: 'beta' });
    const hidden = await graphql('query($id: ID!) { run(id: $id) { id } }', h.a.tokens.read, { id: rb.id });
    expect(hidden.json().errors[0].extensions.code).toBe('not_found');
    const bad = await graphql('{ runs(filters: { sort: "bogus" }) { total } }', h.a.tokens.read);
    expect(bad.json().errors[0].extensions.code).toBe('validation_error');
    const tooMany = await graphql('{ runs(filters: { limit: 500 }) { total } }', h.a.tokens.read);
    expect(tooMany.json().errors[0].extensions.code).toBe('validation_error');
  });
});
