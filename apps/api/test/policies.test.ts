import { randomUUID } from 'node:crypto';
import { agents, policies, policyVersions, runs } from '@rungate/db';
import type { AuthContext } from '@rungate/governance';
import { insertDefaultPolicy } from '@rungate/governance';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

type Json = Record<string, any>;

const create = async (body: Json, token = h.a.tokens.write): Promise<Json> => {
  const res = await h.request({ method: 'POST', url: '/api/policies', token, body });
  expect(res.statusCode).toBe(201);
  return res.json().data;
};

const versions = async (id: string, token = h.a.tokens.read): Promise<Json[]> => {
  const res = await h.request({ method: 'GET', url: `/api/policies/${id}/versions`, token });
  expect(res.statusCode).toBe(200);
  expect(res.json().total).toBe(res.json().data.length);
  return res.json().data;
};

/** Agents are another resource's service; the tests need only rows that reference a policy. */
const insertAgent = async (orgId: string, values: { policyId: string; allowedPolicies?: string[] | null }) => {
  const [row] = await h.services.deps.db
    .insert(agents)
    .values({ orgId, name: `agent-${randomUUID()}`, apiKeyHash: randomUUID(), apiKeyPrefix: 'rg_sk_test', ...values })
    .returning();
  return row!;
};

describe('create', () => {
  it('applies every default and records version 1', async () => {
    const policy = await create({ name: 'defaults' });
    expect(policy).toMatchObject({
      name: 'defaults',
      org_id: h.a.orgId,
      dry_run: false,
      content_logging: 'default',
      approval_expiry_ms: 28_800_000,
      budget: { hard_limit_usd: null, alert_threshold_usd: null, on_alert_threshold: 'continue_and_alert' },
      rate_limits: { max_requests_per_minute: null, max_tokens_per_minute: null },
      routing: {
        default_chain: [],
        timeout_ms: 120_000,
        connect_timeout_ms: 10_000,
        load_balancing: 'failover',
        routing_preference: 'default',
        circuit_breaker: { failure_threshold: 5, recovery_timeout_ms: 30_000, max_recovery_timeout_ms: 600_000 },
      },
      runaway_prevention: { enabled: true, max_steps_per_run: 500 },
      implicit_run_grouping: { run_idle_timeout_seconds: 300, force_stop_cooldown_minutes: 60 },
      outcome_defaults: null,
      visibility: 'org',
      allowed_models: [],
      model_mapping: {},
      default_model: null,
      model_override: null,
    });
    const [v1] = await versions(policy.id);
    expect(v1).toMatchObject({
      version_number: 1,
      policy_id: policy.id,
      changed_fields: ['name'],
      snapshot: { id: policy.id, routing: { timeout_ms: 120_000 } },
    });
    const [token] = await h.services.adminTokens
      .list(h.a.ctx, { status: 'active' })
      .then((all) => all.filter((t) => t.name === 'write-token'));
    expect(v1!.changed_by).toBe(token!.id);
    expect(policy.created_by_token_id).toBe(token!.id);
  });

  it('merges given nested fields over the defaults', async () => {
    const policy = await create({
      name: 'custom',
      dry_run: true,
      routing: { timeout_ms: 30_000, default_chain: ['openai'] },
      budget: { hard_limit_usd: 5 },
    });
    expect(policy.dry_run).toBe(true);
    expect(policy.routing).toMatchObject({
      timeout_ms: 30_000,
      connect_timeout_ms: 10_000,
      default_chain: ['openai'],
      load_balancing: 'failover',
    });
    expect(policy.budget).toMatchObject({ hard_limit_usd: 5, on_alert_threshold: 'continue_and_alert' });
    expect((await versions(policy.id))[0]!.changed_fields).toEqual(['name', 'dry_run', 'budget', 'routing']);
  });

  it('answers 400 with fields for bad input and cross-field rules', async () => {
    const missing = await h.request({
      method: 'POST',
      url: '/api/policies',
      token: h.a.tokens.write,
      body: { budget: { hard_limit_usd: -1 } },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.type).toBe('validation_error');
    expect(Object.keys(missing.json().error.fields)).toEqual(expect.arrayContaining(['name', 'budget.hard_limit_usd']));

    // connect_timeout_ms alone is valid, but not above the default timeout_ms.
    const cross = await h.request({
      method: 'POST',
      url: '/api/policies',
      token: h.a.tokens.write,
      body: { name: 'slow', routing: { connect_timeout_ms: 200_000 } },
    });
    expect(cross.statusCode).toBe(400);
    expect(cross.json()).toMatchObject({
      error: { type: 'validation_error', fields: { 'routing.connect_timeout_ms': expect.any(String) } },
    });

    const expiry = await h.request({
      method: 'POST',
      url: '/api/policies',
      token: h.a.tokens.write,
      body: { name: 'x', approval_expiry_ms: 10 },
    });
    expect(expiry.statusCode).toBe(400);
    expect(expiry.json().error.fields).toHaveProperty('approval_expiry_ms');

    const outcome = await h.request({
      method: 'POST',
      url: '/api/policies',
      token: h.a.tokens.write,
      body: { name: 'x', outcome_defaults: { bogus: 'failed' } },
    });
    expect(outcome.statusCode).toBe(400);
  });

  it('refuses a duplicate live name with 409', async () => {
    await create({ name: 'dup' });
    const res = await h.request({
      method: 'POST',
      url: '/api/policies',
      token: h.a.tokens.write,
      body: { name: 'dup' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { type: 'conflict' } });
    // Another org may use the same name.
    await create({ name: 'dup' }, h.b.tokens.write);
  });
});

describe('auth', () => {
  it('answers 401 in the flat shape on every operation', async () => {
    const id = randomUUID();
    const calls: [string, string][] = [
      ['POST', '/api/policies'],
      ['GET', '/api/policies'],
      ['GET', `/api/policies/${id}`],
      ['PUT', `/api/policies/${id}`],
      ['DELETE', `/api/policies/${id}`],
      ['PUT', '/api/policies/by-name/x'],
      ['GET', `/api/policies/${id}/versions`],
      ['GET', `/api/policies/${id}/versions/1`],
      ['GET', `/api/policies/${id}/stats`],
      ['GET', `/api/policies/${id}/cost-trend`],
    ];
    for (const [method, url] of calls) {
      const res = await h.request({
        method: method as 'GET',
        url,
        token: null,
        ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }),
      });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json()).toEqual({ error: 'Authentication required' });
    }
  });

  it('answers 403 to a read token on every mutation', async () => {
    const policy = await create({ name: 'read-only-target' });
    const calls: [string, string, unknown][] = [
      ['POST', '/api/policies', { name: 'nope' }],
      ['PUT', `/api/policies/${policy.id}`, { dry_run: true }],
      ['DELETE', `/api/policies/${policy.id}`, undefined],
      ['PUT', '/api/policies/by-name/nope', {}],
    ];
    for (const [method, url, body] of calls) {
      const res = await h.request({ method: method as 'POST', url, token: h.a.tokens.read, body });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json()).toMatchObject({ error: { type: 'forbidden' } });
    }
    expect((await versions(policy.id)).length).toBe(1);
  });
});

describe('list and get', () => {
  it('lists only live policies of the caller org, filtered by name substring', async () => {
    await create({ name: 'List Alpha' });
    await create({ name: 'list-beta' });
    await create({ name: 'list 100%' });
    await create({ name: 'list-gamma' }, h.b.tokens.write);
    const res = await h.request({ method: 'GET', url: '/api/policies?name=list', token: h.a.tokens.read });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.map((p: Json) => p.name)).toEqual(['List Alpha', 'list 100%', 'list-beta']);
    expect(res.json().total).toBe(3);
    const percent = await h.request({
      method: 'GET',
      url: `/api/policies?name=${encodeURIComponent('0%')}`,
      token: h.a.tokens.read,
    });
    expect(percent.json().data.map((p: Json) => p.name)).toEqual(['list 100%']);
    const all = (await h.request({ method: 'GET', url: '/api/policies', token: h.a.tokens.read })).json();
    expect(all.data.every((p: Json) => p.org_id === h.a.orgId)).toBe(true);
  });

  it('gets one policy; another org or a malformed id is 404/400', async () => {
    const policy = await create({ name: 'get-me' });
    const ok = await h.request({ method: 'GET', url: `/api/policies/${policy.id}`, token: h.a.tokens.read });
    expect(ok.json().data).toEqual(policy);
    const cross = await h.request({ method: 'GET', url: `/api/policies/${policy.id}`, token: h.b.tokens.admin });
    expect(cross.statusCode).toBe(404);
    expect(cross.json()).toMatchObject({ error: { type: 'not_found' } });
    expect(
      (await h.request({ method: 'GET', url: '/api/policies/not-a-uuid', token: h.a.tokens.read })).statusCode,
    ).toBe(400);
  });
});

describe('update', () => {
  it('deep-merges, keeps untouched nested fields, and versions the top-level fields changed', async () => {
    const policy = await create({
      name: 'merge-me',
      routing: { default_chain: ['openai', 'anthropic'], timeout_ms: 60_000 },
      budget: { hard_limit_usd: 10, alert_threshold_usd: 8 },
      model_mapping: { 'gpt-4o': { anthropic: 'claude-sonnet-4-5' } },
    });
    const res = await h.request({
      method: 'PUT',
      url: `/api/policies/${policy.id}`,
      token: h.a.tokens.write,
      body: {
        routing: { circuit_breaker: { failure_threshold: 2 }, default_chain: ['groq'] },
        budget: { alert_threshold_usd: null },
        model_mapping: { 'gpt-4o-mini': { groq: 'llama-3.1-8b' } },
      },
    });
    expect(res.statusCode).toBe(200);
    const updated = res.json().data;
    expect(updated.name).toBe('merge-me');
    expect(updated.routing).toMatchObject({
      default_chain: ['groq'],
      timeout_ms: 60_000,
      connect_timeout_ms: 10_000,
      circuit_breaker: { failure_threshold: 2, recovery_timeout_ms: 30_000, max_recovery_timeout_ms: 600_000 },
    });
    expect(updated.budget).toMatchObject({
      hard_limit_usd: 10,
      alert_threshold_usd: null,
      on_alert_threshold: 'continue_and_alert',
    });
    expect(updated.model_mapping).toEqual({ 'gpt-4o-mini': { groq: 'llama-3.1-8b' } });
    expect(updated.updated_by_token_id).not.toBeNull();

    const rename = await h.request({
      method: 'PUT',
      url: `/api/policies/${policy.id}`,
      token: h.a.tokens.write,
      body: { name: 'merged', dry_run: true },
    });
    expect(rename.json().data).toMatchObject({ name: 'merged', dry_run: true, routing: { default_chain: ['groq'] } });

    const history = await versions(policy.id);
    expect(history.map((v) => v.version_number)).toEqual([1, 2, 3]);
    expect(history[1]!.changed_fields).toEqual(['budget', 'routing', 'model_mapping']);
    expect(history[2]!.changed_fields).toEqual(['name', 'dry_run']);
    expect(history[2]!.snapshot).toMatchObject({ name: 'merged', dry_run: true });
    const v2 = await h.request({ method: 'GET', url: `/api/policies/${policy.id}/versions/2`, token: h.a.tokens.read });
    expect(v2.json().data).toEqual(history[1]);
  });

  it('writes no version when nothing changes', async () => {
    const policy = await create({ name: 'noop', dry_run: true });
    const res = await h.request({
      method: 'PUT',
      url: `/api/policies/${policy.id}`,
      token: h.a.tokens.write,
      body: { dry_run: true, routing: { timeout_ms: 120_000 } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toEqual(policy);
    expect((await versions(policy.id)).length).toBe(1);
  });

  it('checks cross-field rules on the merged policy, and refuses a taken name', async () => {
    const policy = await create({ name: 'cross', routing: { timeout_ms: 30_000 } });
    const res = await h.request({
      method: 'PUT',
      url: `/api/policies/${policy.id}`,
      token: h.a.tokens.write,
      body: { routing: { connect_timeout_ms: 40_000 } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields).toEqual({
      'routing.connect_timeout_ms': 'must not exceed routing.timeout_ms (30000)',
    });
    const bad = await h.request({
      method: 'PUT',
      url: `/api/policies/${policy.id}`,
      token: h.a.tokens.write,
      body: { name: '', routing: { max_retries: -1 } },
    });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().error.fields)).toEqual(expect.arrayContaining(['name', 'routing.max_retries']));
    await create({ name: 'taken' });
    const taken = await h.request({
      method: 'PUT',
      url: `/api/policies/${policy.id}`,
      token: h.a.tokens.write,
      body: { name: 'taken' },
    });
    expect(taken.statusCode).toBe(409);
    expect((await versions(policy.id)).length).toBe(1);
  });

  it("answers 404 for another org's policy and leaves it alone", async () => {
    const theirs = await create({ name: 'theirs' }, h.b.tokens.write);
    const res = await h.request({
      method: 'PUT',
      url: `/api/policies/${theirs.id}`,
      token: h.a.tokens.admin,
      body: { dry_run: true },
    });
    expect(res.statusCode).toBe(404);
    expect(
      (await h.request({ method: 'GET', url: `/api/policies/${theirs.id}`, token: h.b.tokens.read })).json().data
        .dry_run,
    ).toBe(false);
  });
});

describe('upsert by name', () => {
  it('creates with defaults (201), then deep-merges (200)', async () => {
    const first = await h.request({
      method: 'PUT',
      url: '/api/policies/by-name/ci-policy',
      token: h.a.tokens.write,
      body: { budget: { hard_limit_usd: 3 } },
    });
    expect(first.statusCode).toBe(201);
    expect(first.json().data).toMatchObject({
      name: 'ci-policy',
      budget: { hard_limit_usd: 3 },
      routing: { timeout_ms: 120_000 },
    });
    const second = await h.request({
      method: 'PUT',
      url: '/api/policies/by-name/ci-policy',
      token: h.a.tokens.write,
      body: { budget: { alert_threshold_usd: 2 } },
    });
    expect(second.statusCode).toBe(200);
    expect(second.json().data).toMatchObject({
      id: first.json().data.id,
      budget: { hard_limit_usd: 3, alert_threshold_usd: 2 },
    });
    const history = await versions(first.json().data.id);
    expect(history.map((v) => v.changed_fields)).toEqual([['name', 'budget'], ['budget']]);
    // Same name in another org is a different policy.
    const other = await h.request({
      method: 'PUT',
      url: '/api/policies/by-name/ci-policy',
      token: h.b.tokens.write,
      body: {},
    });
    expect(other.statusCode).toBe(201);
  });

  it('validates the body and the merged result', async () => {
    const bad = await h.request({
      method: 'PUT',
      url: '/api/policies/by-name/upsert-bad',
      token: h.a.tokens.write,
      body: { content_logging: 'sometimes' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toHaveProperty('content_logging');
    const cross = await h.request({
      method: 'PUT',
      url: '/api/policies/by-name/upsert-bad',
      token: h.a.tokens.write,
      body: { budget: { hard_limit_tokens: 10, alert_threshold_tokens: 20 } },
    });
    expect(cross.statusCode).toBe(400);
    expect(cross.json().error.fields).toHaveProperty(['budget.alert_threshold_tokens']);
  });
});

describe('delete', () => {
  it('answers 409 while an agent references the policy, directly or as allowed', async () => {
    const policy = await create({ name: 'in-use' });
    const spare = await create({ name: 'spare' });
    const agent = await insertAgent(h.a.orgId, { policyId: policy.id });
    const res = await h.request({ method: 'DELETE', url: `/api/policies/${policy.id}`, token: h.a.tokens.write });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ error: { type: 'conflict', message: expect.stringContaining(agent.name) } });

    await h.services.deps.db
      .update(agents)
      .set({ policyId: spare.id, allowedPolicies: [spare.id, policy.id] })
      .where(eq(agents.id, agent.id));
    expect(
      (await h.request({ method: 'DELETE', url: `/api/policies/${policy.id}`, token: h.a.tokens.write })).statusCode,
    ).toBe(409);

    await h.services.deps.db.update(agents).set({ allowedPolicies: null }).where(eq(agents.id, agent.id));
    const ok = await h.request({ method: 'DELETE', url: `/api/policies/${policy.id}`, token: h.a.tokens.write });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ data: { message: 'Policy deleted' } });
  });

  it('soft-deletes: 404 on get and list, versions stay readable, the name is free again', async () => {
    const policy = await create({ name: 'doomed' });
    await h.request({
      method: 'PUT',
      url: `/api/policies/${policy.id}`,
      token: h.a.tokens.write,
      body: { dry_run: true },
    });
    expect(
      (await h.request({ method: 'DELETE', url: `/api/policies/${policy.id}`, token: h.a.tokens.admin })).statusCode,
    ).toBe(200);

    expect(
      (await h.request({ method: 'GET', url: `/api/policies/${policy.id}`, token: h.a.tokens.read })).statusCode,
    ).toBe(404);
    expect(
      (await h.request({ method: 'DELETE', url: `/api/policies/${policy.id}`, token: h.a.tokens.admin })).statusCode,
    ).toBe(404);
    expect(
      (
        await h.request({
          method: 'PUT',
          url: `/api/policies/${policy.id}`,
          token: h.a.tokens.admin,
          body: { dry_run: false },
        })
      ).statusCode,
    ).toBe(404);
    const listed = (
      await h.request({ method: 'GET', url: '/api/policies?name=doomed', token: h.a.tokens.read })
    ).json();
    expect(listed.total).toBe(0);

    const history = await versions(policy.id);
    expect(history.map((v) => [v.version_number, v.changed_fields])).toEqual([
      [1, ['name']],
      [2, ['dry_run']],
      [3, ['_deleted']],
    ]);
    expect(history[2]!.snapshot).toMatchObject({ id: policy.id, name: 'doomed', dry_run: true });
    const v3 = await h.request({ method: 'GET', url: `/api/policies/${policy.id}/versions/3`, token: h.a.tokens.read });
    expect(v3.statusCode).toBe(200);

    const [row] = await h.services.deps.db.select().from(policies).where(eq(policies.id, policy.id));
    expect(row!.deletedAt).not.toBeNull();
    const reborn = await create({ name: 'doomed' });
    expect(reborn.id).not.toBe(policy.id);
  });

  it("answers 404 for another org's policy", async () => {
    const theirs = await create({ name: 'not-yours' }, h.b.tokens.write);
    expect(
      (await h.request({ method: 'DELETE', url: `/api/policies/${theirs.id}`, token: h.a.tokens.admin })).statusCode,
    ).toBe(404);
  });
});

describe('versions', () => {
  it("hides another org's history and answers 404 for a missing version", async () => {
    const theirs = await create({ name: 'history' }, h.b.tokens.write);
    const cross = await h.request({
      method: 'GET',
      url: `/api/policies/${theirs.id}/versions`,
      token: h.a.tokens.read,
    });
    expect(cross.json()).toEqual({ data: [], total: 0 });
    expect(
      (await h.request({ method: 'GET', url: `/api/policies/${theirs.id}/versions/1`, token: h.a.tokens.read }))
        .statusCode,
    ).toBe(404);
    expect(
      (await h.request({ method: 'GET', url: `/api/policies/${theirs.id}/versions/9`, token: h.b.tokens.read }))
        .statusCode,
    ).toBe(404);
    const bad = await h.request({
      method: 'GET',
      url: `/api/policies/${theirs.id}/versions/0`,
      token: h.b.tokens.read,
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toHaveProperty('version');
  });
});

describe('stats and cost trend', () => {
  it('answers empty figures for a policy without runs', async () => {
    const policy = await create({ name: 'idle' });
    const stats = await h.request({ method: 'GET', url: `/api/policies/${policy.id}/stats`, token: h.a.tokens.read });
    expect(stats.json()).toEqual({
      data: {
        total_runs: 0,
        total_spend_usd: 0,
        avg_cost_per_run_usd: null,
        avg_steps_per_run: null,
        avg_duration_ms: null,
        success_rate: null,
        budget_utilization: null,
      },
    });
    const trend = await h.request({
      method: 'GET',
      url: `/api/policies/${policy.id}/cost-trend`,
      token: h.a.tokens.read,
    });
    expect(trend.json()).toEqual({ data: [], total: 0 });
  });

  it('aggregates the runs of that policy only', async () => {
    const policy = await create({ name: 'busy' });
    const other = await create({ name: 'busy-other' });
    const agent = await insertAgent(h.a.orgId, { policyId: policy.id });
    const t0 = new Date('2025-01-01T00:00:00Z').getTime();
    const run = (minutes: number, values: Partial<typeof runs.$inferInsert>) => ({
      orgId: h.a.orgId,
      agentId: agent.id,
      policyId: policy.id,
      creationMethod: 'explicit' as const,
      startedAt: new Date(t0 + minutes * 60_000),
      ...values,
    });
    await h.services.deps.db.insert(runs).values([
      run(0, {
        name: 'first',
        status: 'completed',
        totalCostUsd: '1.5',
        stepCount: 3,
        endedAt: new Date(t0 + 2000),
        budget: { hard_limit_usd: 3 },
      }),
      run(10, {
        name: 'second',
        status: 'completed',
        outcome: 'failed',
        totalCostUsd: '0.5',
        stepCount: 2,
        endedAt: new Date(t0 + 600_000 + 4000),
        budget: { hard_limit_usd: 1 },
      }),
      run(20, {
        name: 'third',
        status: 'budget_exceeded',
        totalCostUsd: '1',
        stepCount: 6,
        totalTokens: 500,
        endedAt: new Date(t0 + 1_200_000 + 6000),
        budget: { hard_limit_tokens: 1000 },
      }),
      run(30, { name: 'live', status: 'running', totalCostUsd: '2', stepCount: 1 }),
      run(40, {
        policyId: other.id,
        status: 'completed',
        totalCostUsd: '100',
        stepCount: 9,
        endedAt: new Date(t0 + 2_400_000 + 1000),
      }),
    ]);

    const stats = (
      await h.request({ method: 'GET', url: `/api/policies/${policy.id}/stats`, token: h.a.tokens.read })
    ).json().data;
    expect(stats).toMatchObject({
      total_runs: 4,
      total_spend_usd: 5,
      avg_cost_per_run_usd: 1.25,
      avg_steps_per_run: 3,
      avg_duration_ms: 4000,
    });
    expect(stats.success_rate).toBeCloseTo(1 / 3);
    expect(stats.budget_utilization).toBeCloseTo((0.5 + 0.5 + 0.5) / 3);

    const ranged = (
      await h.request({
        method: 'GET',
        url: `/api/policies/${policy.id}/stats?since=2025-01-01T00:05:00Z&until=2025-01-01T00:15:00Z`,
        token: h.a.tokens.read,
      })
    ).json().data;
    expect(ranged).toMatchObject({ total_runs: 1, total_spend_usd: 0.5, success_rate: 0 });

    const trend = (
      await h.request({ method: 'GET', url: `/api/policies/${policy.id}/cost-trend`, token: h.a.tokens.read })
    ).json();
    expect(trend.total).toBe(3);
    expect(trend.data.map((p: Json) => [p.name, p.cost_usd, p.step_count])).toEqual([
      ['first', 1.5, 3],
      ['second', 0.5, 2],
      ['third', 1, 6],
    ]);
    expect(trend.data[0].started_at).toBe('2025-01-01T00:00:00.000Z');
    const latest = (
      await h.request({ method: 'GET', url: `/api/policies/${policy.id}/cost-trend?limit=2`, token: h.a.tokens.read })
    ).json();
    expect(latest).toMatchObject({ total: 3, data: [{ name: 'second' }, { name: 'third' }] });

    const tooMany = await h.request({
      method: 'GET',
      url: `/api/policies/${policy.id}/cost-trend?limit=501`,
      token: h.a.tokens.read,
    });
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.fields).toHaveProperty('limit');
  });

  it('answers 404 for unknown, foreign or malformed ids', async () => {
    const theirs = await create({ name: 'their-stats' }, h.b.tokens.write);
    for (const id of [theirs.id, randomUUID(), 'nope']) {
      for (const path of ['stats', 'cost-trend']) {
        const res = await h.request({ method: 'GET', url: `/api/policies/${id}/${path}`, token: h.a.tokens.read });
        expect(res.statusCode, `${path} ${id}`).toBe(404);
        expect(res.json()).toMatchObject({ error: { type: 'not_found' } });
      }
    }
  });
});

describe('personal visibility', () => {
  const member = (memberId: string, role: 'member' | 'admin'): AuthContext => ({
    orgId: h.a.orgId,
    actor: { kind: 'member', memberId, role, email: `${role}@example.com`, sessionId: randomUUID() },
  });

  it('shows a personal policy only to its owner, admins and tokens', async () => {
    const alice = member(randomUUID(), 'member');
    const bob = member(randomUUID(), 'member');
    const admin = member(randomUUID(), 'admin');
    const mine = await h.services.policies.create(alice, { name: 'alice-personal' });
    expect(mine).toMatchObject({ visibility: 'personal', member_id: (alice.actor as { memberId: string }).memberId });
    await expect(h.services.policies.create(alice, { name: 'alice-org', visibility: 'org' })).rejects.toMatchObject({
      code: 'forbidden',
    });

    expect((await h.services.policies.list(alice, { name: 'alice' })).map((p) => p.name)).toEqual(['alice-personal']);
    expect(await h.services.policies.list(bob, { name: 'alice' })).toEqual([]);
    await expect(h.services.policies.get(bob, mine.id)).rejects.toMatchObject({ code: 'not_found' });
    expect(await h.services.policies.listVersions(bob, mine.id)).toEqual([]);
    await expect(h.services.policies.upsertByName(bob, 'alice-personal', {})).rejects.toMatchObject({
      code: 'conflict',
    });
    expect((await h.services.policies.get(admin, mine.id)).id).toBe(mine.id);
    const viaToken = await h.request({ method: 'GET', url: `/api/policies/${mine.id}`, token: h.a.tokens.read });
    expect(viaToken.statusCode).toBe(200);

    const [v1] = await h.services.policies.listVersions(alice, mine.id);
    expect(v1!.changed_by).toBe('session');
    await expect(h.services.policies.update(alice, mine.id, { visibility: 'org' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect((await h.services.policies.update(admin, mine.id, { visibility: 'org' })).visibility).toBe('org');
    expect((await h.services.policies.get(bob, mine.id)).id).toBe(mine.id);
  });
});

describe('for other modules', () => {
  it('insertDefaultPolicy writes the policy and version 1 inside the caller transaction', async () => {
    const audit = { by: 'system', tokenId: null, memberId: null };
    const policy = await h.services.deps.db.transaction((tx) =>
      insertDefaultPolicy(tx, h.b.orgId, audit, h.clock.now()),
    );
    expect(policy).toMatchObject({ name: 'default', visibility: 'org', routing: { timeout_ms: 120_000 } });
    const rows = await h.services.deps.db.select().from(policyVersions).where(eq(policyVersions.policyId, policy.id));
    expect(rows).toMatchObject([
      { versionNumber: 1, changedBy: 'system', changeType: 'create', changedFields: ['name'] },
    ]);

    await expect(
      h.services.deps.db.transaction(async (tx) => {
        await insertDefaultPolicy(tx, h.b.orgId, audit, h.clock.now(), 'rolled-back');
        throw new Error('registration failed');
      }),
    ).rejects.toThrow('registration failed');
    expect(await h.services.policies.list(h.b.ctx, { name: 'rolled-back' })).toEqual([]);
  });

  it('loadPolicy fills defaults under a sparse stored row and ignores deleted or foreign ids', async () => {
    const [row] = await h.services.deps.db
      .insert(policies)
      .values({ orgId: h.a.orgId, name: 'sparse', routing: { default_chain: ['anthropic'] } })
      .returning();
    const loaded = await h.services.policies.loadPolicy(h.a.orgId, row!.id);
    expect(loaded).toMatchObject({
      routing: { default_chain: ['anthropic'], timeout_ms: 120_000, circuit_breaker: { failure_threshold: 5 } },
      budget: { on_alert_threshold: 'continue_and_alert' },
    });
    expect(await h.services.policies.loadPolicy(h.b.orgId, row!.id)).toBeNull();
    expect(await h.services.policies.loadPolicy(h.a.orgId, 'nope')).toBeNull();
  });
});

describe('tRPC and GraphQL', () => {
  const trpc = (path: string, token: string | null, input?: unknown) =>
    h.app.inject({
      method: 'GET',
      url: `/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  const trpcMutation = (path: string, token: string, input: unknown) =>
    h.app.inject({
      method: 'POST',
      url: `/trpc/${path}`,
      headers: { authorization: `Bearer ${token}` },
      payload: input as object,
    });
  const graphql = (query: string, token: string | null, variables?: Record<string, unknown>) =>
    h.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      payload: { query, variables },
    });

  it('reads through tRPC with the same auth and tenancy', async () => {
    const mine = await create({ name: 'trpc-mine' });
    const theirs = await create({ name: 'trpc-theirs' }, h.b.tokens.write);
    const list = await trpc('policies.list', h.a.tokens.read);
    expect(list.statusCode).toBe(200);
    const names = list.json().result.data.map((p: Json) => p.name);
    expect(names).toContain('trpc-mine');
    expect(names).not.toContain('trpc-theirs');
    expect(
      (await trpc('policies.list', h.a.tokens.read, { name: 'trpc-' })).json().result.data.map((p: Json) => p.name),
    ).toEqual(['trpc-mine']);
    expect((await trpc('policies.get', h.a.tokens.read, { id: theirs.id })).statusCode).toBe(404);
    expect((await trpc('policies.versions', h.a.tokens.read, { id: mine.id })).json().result.data).toHaveLength(1);
    expect((await trpc('policies.list', null)).statusCode).toBe(401);
  });

  it('mutates through tRPC, with write scope and validation', async () => {
    const created = await trpcMutation('policies.create', h.a.tokens.write, {
      name: 'trpc-made',
      routing: { timeout_ms: 50_000 },
    });
    expect(created.statusCode).toBe(200);
    const id = created.json().result.data.id;
    const updated = await trpcMutation('policies.update', h.a.tokens.write, { id, budget: { hard_limit_usd: 1 } });
    expect(updated.json().result.data).toMatchObject({
      routing: { timeout_ms: 50_000 },
      budget: { hard_limit_usd: 1 },
    });
    const invalid = await trpcMutation('policies.update', h.a.tokens.write, {
      id,
      routing: { connect_timeout_ms: 60_000 },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error.data.fields).toEqual({ 'routing.connect_timeout_ms': expect.any(String) });
    expect((await trpcMutation('policies.delete', h.a.tokens.read, { id })).statusCode).toBe(403);
    expect((await trpcMutation('policies.delete', h.a.tokens.write, { id })).statusCode).toBe(200);
  });

  it('reads through GraphQL with the same auth and tenancy', async () => {
    const mine = await create({ name: 'gql-mine', budget: { hard_limit_usd: 7 } });
    const theirs = await create({ name: 'gql-theirs' }, h.b.tokens.write);
    const res = await graphql(
      'query($name: String) { policies(name: $name) { id name budget routing approval_expiry_ms outcome_defaults created_at } }',
      h.a.tokens.read,
      { name: 'gql-' },
    );
    expect(res.statusCode).toBe(200);
    expect(res.json().data.policies).toEqual([
      {
        id: mine.id,
        name: 'gql-mine',
        budget: mine.budget,
        routing: mine.routing,
        approval_expiry_ms: 28_800_000,
        outcome_defaults: null,
        created_at: mine.created_at,
      },
    ]);
    const one = await graphql('query($id: ID!) { policy(id: $id) { name visibility } }', h.a.tokens.read, {
      id: mine.id,
    });
    expect(one.json().data.policy).toEqual({ name: 'gql-mine', visibility: 'org' });
    const cross = await graphql('query($id: ID!) { policy(id: $id) { name } }', h.a.tokens.read, { id: theirs.id });
    expect(cross.json().errors[0].extensions.code).toBe('not_found');
    expect((await graphql('{ policies { id } }', null)).statusCode).toBe(401);
  });
});
