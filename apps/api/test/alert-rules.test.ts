import { randomUUID } from 'node:crypto';
import { alertRules, events } from '@rungate/db';
import { type AuthContext, evaluateAlertRulesOnce } from '@rungate/governance';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';
import { seedAgent, seedRun, seedStep } from './run-fixtures.ts';

let h: Harness;
let agentA: Awaited<ReturnType<typeof seedAgent>>;
let agentB: Awaited<ReturnType<typeof seedAgent>>;
beforeAll(async () => {
  h = await createHarness();
  agentA = await seedAgent(h.services.deps.db, h.a.orgId, 'watched');
  agentB = await seedAgent(h.services.deps.db, h.b.orgId, 'foreign');
});
afterAll(() => h.close());

const create = (body: Record<string, unknown>, token = h.a.tokens.write) =>
  h.request({ method: 'POST', url: '/api/alert-rules', token, body });

async function createRule(body: Record<string, unknown>, token = h.a.tokens.write) {
  const res = await create(body, token);
  expect(res.statusCode, res.body).toBe(201);
  return res.json().data;
}

/** Outbox rows about one rule, oldest first. */
async function eventsFor(ruleId: string) {
  const rows = await h.services.deps.db.select().from(events).orderBy(events.createdAt);
  return rows.filter((e) => (e.data.alert_rule as { id?: string } | undefined)?.id === ruleId);
}

describe('alert rules over REST', () => {
  it('creates a rule with its documented defaults and records alert_rule.created', async () => {
    const res = await create({ name: 'spend', description: 'Spend watch', condition_type: 'cost_threshold' });
    expect(res.statusCode).toBe(201);
    const rule = res.json().data;
    expect(rule).toMatchObject({
      name: 'spend',
      description: 'Spend watch',
      org_id: h.a.orgId,
      agent_id: null,
      condition_type: 'cost_threshold',
      condition_config: { threshold_usd: 100, window_minutes: 60 },
      cooldown_seconds: 300,
      last_triggered_at: null,
      status: 'active',
      scope: 'org',
      member_id: null,
      created_by: expect.stringMatching(/^token:/),
      created_by_token_id: expect.any(String),
    });
    const recorded = await eventsFor(rule.id);
    expect(recorded.map((e) => e.type)).toEqual(['alert_rule.created']);
    expect(recorded[0]!.data).toEqual({ alert_rule: rule });
  });

  it('fills each condition type’s defaults and keeps given values', async () => {
    const cases = [
      ['error_rate', {}, { threshold_percent: 10, window_minutes: 15, min_calls: 10 }],
      ['failover_rate', { min_calls: 3 }, { threshold_percent: 20, window_minutes: 15, min_calls: 3 }],
      ['approval_pending_timeout', {}, { threshold_minutes: 30 }],
      ['rate_limit_approaching', { threshold_percent: 95 }, { threshold_percent: 95 }],
    ] as const;
    for (const [conditionType, given, stored] of cases) {
      const rule = await createRule({
        name: `defaults-${conditionType}`,
        condition_type: conditionType,
        condition_config: given,
        agent_id: agentA.agent.id,
      });
      expect(rule.condition_config).toEqual(stored);
    }
  });

  it('lists, filters, gets, updates, disables, enables and deletes', async () => {
    const agent = await seedAgent(h.services.deps.db, h.a.orgId, 'lifecycle');
    const rule = await createRule({
      name: 'errors',
      condition_type: 'error_rate',
      agent_id: agent.agent.id,
      cooldown_seconds: 60,
    });
    await createRule({ name: 'errors-cost', condition_type: 'cost_threshold', agent_id: agent.agent.id });

    const list = await h.request({
      method: 'GET',
      url: `/api/alert-rules?agent_id=${agent.agent.id}&condition_type=error_rate`,
      token: h.a.tokens.read,
    });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ data: [rule], total: 1 });
    const nothing = await h.request({
      method: 'GET',
      url: '/api/alert-rules?condition_type=no_such_type',
      token: h.a.tokens.read,
    });
    expect(nothing.json()).toEqual({ data: [], total: 0 });

    const got = await h.request({ method: 'GET', url: `/api/alert-rules/${rule.id}`, token: h.a.tokens.read });
    expect(got.json()).toEqual({ data: rule });

    h.clock.advance(1_000);
    const put = await h.request({
      method: 'PUT',
      url: `/api/alert-rules/${rule.id}`,
      token: h.a.tokens.write,
      body: { name: 'errors-renamed', condition_config: { threshold_percent: 50 } },
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().data).toMatchObject({
      name: 'errors-renamed',
      agent_id: agent.agent.id,
      cooldown_seconds: 60,
      condition_config: { threshold_percent: 50, window_minutes: 15, min_calls: 10 },
      updated_at: h.clock.now().toISOString(),
    });

    const disabled = await h.request({
      method: 'POST',
      url: `/api/alert-rules/${rule.id}/disable`,
      token: h.a.tokens.write,
    });
    expect(disabled.json().data.status).toBe('disabled');
    const disabledList = await h.request({
      method: 'GET',
      url: '/api/alert-rules?status=disabled',
      token: h.a.tokens.read,
    });
    expect(disabledList.json().data.map((r: { id: string }) => r.id)).toEqual([rule.id]);
    const enabled = await h.request({
      method: 'POST',
      url: `/api/alert-rules/${rule.id}/enable`,
      token: h.a.tokens.write,
    });
    expect(enabled.json().data.status).toBe('active');
    // Enabling an active rule changes nothing and announces nothing.
    const again = await h.request({
      method: 'POST',
      url: `/api/alert-rules/${rule.id}/enable`,
      token: h.a.tokens.write,
    });
    expect(again.json().data).toEqual(enabled.json().data);

    const deleted = await h.request({ method: 'DELETE', url: `/api/alert-rules/${rule.id}`, token: h.a.tokens.write });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toEqual({ data: { message: 'Alert rule deleted' } });
    expect(
      (await h.request({ method: 'GET', url: `/api/alert-rules/${rule.id}`, token: h.a.tokens.read })).statusCode,
    ).toBe(404);

    const recorded = await eventsFor(rule.id);
    expect(recorded.map((e) => e.type)).toEqual([
      'alert_rule.created',
      'alert_rule.updated',
      'alert_rule.updated',
      'alert_rule.updated',
      'alert_rule.deleted',
    ]);
    expect(recorded.map((e) => e.data.changed_fields)).toEqual([
      undefined,
      ['name', 'condition_config'],
      ['status'],
      ['status'],
      undefined,
    ]);
    expect(recorded.every((e) => e.agentId === agent.agent.id && e.orgId === h.a.orgId)).toBe(true);
  });

  it('starts a changed condition type from its defaults and can widen a rule to every agent', async () => {
    const rule = await createRule({
      name: 'retyped',
      condition_type: 'cost_threshold',
      agent_id: agentA.agent.id,
      condition_config: { threshold_usd: 5 },
    });
    const res = await h.request({
      method: 'PUT',
      url: `/api/alert-rules/${rule.id}`,
      token: h.a.tokens.write,
      body: { condition_type: 'approval_pending_timeout', agent_id: null },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().data).toMatchObject({
      condition_type: 'approval_pending_timeout',
      condition_config: { threshold_minutes: 30 },
      agent_id: null,
    });
  });

  it('refuses a bad condition_config with 400 naming each field, on create and update', async () => {
    const bad = await create({
      name: 'bad',
      condition_type: 'cost_threshold',
      condition_config: { threshold_usd: -1, window_minutes: 1.5, threshold: 3 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({
      error: {
        type: 'validation_error',
        fields: {
          'condition_config.threshold_usd': expect.any(String),
          'condition_config.window_minutes': expect.any(String),
          'condition_config.threshold': expect.any(String),
        },
      },
    });
    const overLimit = await create({
      name: 'bad',
      condition_type: 'error_rate',
      condition_config: { threshold_percent: 101, min_calls: 0 },
    });
    expect(Object.keys(overLimit.json().error.fields).sort()).toEqual([
      'condition_config.min_calls',
      'condition_config.threshold_percent',
    ]);

    const rule = await createRule({ name: 'approvals', condition_type: 'approval_pending_timeout' });
    const badUpdate = await h.request({
      method: 'PUT',
      url: `/api/alert-rules/${rule.id}`,
      token: h.a.tokens.write,
      body: { condition_config: { threshold_minutes: 'soon' } },
    });
    expect(badUpdate.statusCode).toBe(400);
    expect(badUpdate.json().error.fields).toHaveProperty(['condition_config.threshold_minutes']);
    expect((await eventsFor(rule.id)).map((e) => e.type)).toEqual(['alert_rule.created']);
  });

  it('requires agent_id for rate_limit_approaching and an agent of the caller’s org', async () => {
    const missing = await create({ name: 'rl', condition_type: 'rate_limit_approaching' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.fields).toHaveProperty('agent_id');

    const foreign = await create({ name: 'rl', condition_type: 'rate_limit_approaching', agent_id: agentB.agent.id });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.fields).toHaveProperty('agent_id');

    const global = await createRule({ name: 'global-errors', condition_type: 'error_rate' });
    const retype = await h.request({
      method: 'PUT',
      url: `/api/alert-rules/${global.id}`,
      token: h.a.tokens.write,
      body: { condition_type: 'rate_limit_approaching' },
    });
    expect(retype.statusCode).toBe(400);
    expect(retype.json().error.fields).toHaveProperty('agent_id');
    const scoped = await createRule({
      name: 'rl-scoped',
      condition_type: 'rate_limit_approaching',
      agent_id: agentA.agent.id,
    });
    const unscope = await h.request({
      method: 'PUT',
      url: `/api/alert-rules/${scoped.id}`,
      token: h.a.tokens.write,
      body: { agent_id: null },
    });
    expect(unscope.statusCode).toBe(400);
  });

  it('answers 409 for a name already used in the org, on create and rename; another org may reuse it', async () => {
    await createRule({ name: 'unique-name', condition_type: 'error_rate' });
    const dup = await create({ name: 'unique-name', condition_type: 'failover_rate' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ error: { type: 'conflict' } });

    const other = await createRule({ name: 'other-name', condition_type: 'error_rate' });
    const rename = await h.request({
      method: 'PUT',
      url: `/api/alert-rules/${other.id}`,
      token: h.a.tokens.write,
      body: { name: 'unique-name' },
    });
    expect(rename.statusCode).toBe(409);

    await createRule({ name: 'unique-name', condition_type: 'error_rate' }, h.b.tokens.write);
  });

  it("hides another tenant's rules: 404 on every id route, absent from lists", async () => {
    const theirs = await createRule({ name: 'b-private', condition_type: 'cost_threshold' }, h.b.tokens.write);
    const routes = [
      ['GET', ''],
      ['PUT', ''],
      ['DELETE', ''],
      ['POST', '/enable'],
      ['POST', '/disable'],
    ] as const;
    for (const [method, suffix] of routes) {
      const res = await h.request({
        method,
        url: `/api/alert-rules/${theirs.id}${suffix}`,
        token: h.a.tokens.admin,
        ...(method === 'PUT' ? { body: { name: 'stolen' } } : {}),
      });
      expect(res.statusCode, `${method} ${suffix}`).toBe(404);
      expect(res.json()).toMatchObject({ error: { type: 'not_found' } });
    }
    const list = await h.request({ method: 'GET', url: '/api/alert-rules', token: h.a.tokens.admin });
    expect(list.json().data.every((r: { org_id: string }) => r.org_id === h.a.orgId)).toBe(true);
    const [unchanged] = await h.services.deps.db.select().from(alertRules).where(eq(alertRules.id, theirs.id));
    expect(unchanged).toMatchObject({ name: 'b-private', status: 'active' });
  });

  it('lets read tokens read and needs the write scope to change', async () => {
    const rule = await createRule({ name: 'scoped-access', condition_type: 'error_rate' });
    expect((await h.request({ method: 'GET', url: '/api/alert-rules', token: h.a.tokens.read })).statusCode).toBe(200);
    const writes = [
      ['POST', '/api/alert-rules', { name: 'x', condition_type: 'error_rate' }],
      ['PUT', `/api/alert-rules/${rule.id}`, { name: 'y' }],
      ['DELETE', `/api/alert-rules/${rule.id}`, undefined],
      ['POST', `/api/alert-rules/${rule.id}/disable`, undefined],
    ] as const;
    for (const [method, url, body] of writes) {
      const res = await h.request({ method, url, token: h.a.tokens.read, body });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json()).toMatchObject({ error: { type: 'forbidden' } });
    }
    expect((await h.request({ method: 'GET', url: '/api/alert-rules' })).statusCode).toBe(401);
  });
});

describe('personal rules', () => {
  const member = (memberId: string, role: 'member' | 'admin' = 'member'): AuthContext => ({
    orgId: h.a.orgId,
    actor: { kind: 'member', memberId, role, email: `${memberId}@example.com`, sessionId: randomUUID() },
  });

  it('makes a member’s rule personal, visible only to them and to admins', async () => {
    const alice = member(randomUUID());
    const bob = member(randomUUID());
    const rule = await h.services.alertRules.create(alice, {
      name: 'alice-rule',
      condition_type: 'error_rate',
      cooldown_seconds: 300,
    });
    expect(rule).toMatchObject({ scope: 'personal', member_id: (alice.actor as { memberId: string }).memberId });
    await expect(
      h.services.alertRules.create(alice, {
        name: 'alice-org',
        condition_type: 'error_rate',
        cooldown_seconds: 300,
        scope: 'org',
      }),
    ).rejects.toMatchObject({ code: 'forbidden' });

    await expect(h.services.alertRules.get(bob, rule.id)).rejects.toMatchObject({ code: 'not_found' });
    expect((await h.services.alertRules.list(bob, {})).map((r) => r.id)).not.toContain(rule.id);
    expect((await h.services.alertRules.get(member(randomUUID(), 'admin'), rule.id)).id).toBe(rule.id);
    expect(
      (await h.request({ method: 'GET', url: `/api/alert-rules/${rule.id}`, token: h.a.tokens.read })).statusCode,
    ).toBe(200);
  });
});

describe('evaluation', () => {
  it('fires a rule created over REST at the threshold, respects its cooldown and skips it while disabled', async () => {
    const db = h.services.deps.db;
    const agent = await seedAgent(db, h.a.orgId, 'spender');
    const run = await seedRun(db, agent);
    const rule = await createRule({
      name: 'agent-spend',
      condition_type: 'cost_threshold',
      agent_id: agent.agent.id,
      cooldown_seconds: 120,
      condition_config: { threshold_usd: 2, window_minutes: 10 },
    });

    await seedStep(db, run, { stepNumber: 1, costUsd: '1.25' }, h.clock.now());
    await evaluateAlertRulesOnce(db, h.clock.now());
    expect(
      (await h.request({ method: 'GET', url: `/api/alert-rules/${rule.id}`, token: h.a.tokens.read })).json().data
        .last_triggered_at,
    ).toBeNull();

    await seedStep(db, run, { stepNumber: 2, costUsd: '1.25' }, h.clock.now());
    const firedAt = h.clock.now();
    const pass = await evaluateAlertRulesOnce(db, firedAt);
    expect(pass?.triggered).toContain(rule.id);
    const after = (
      await h.request({ method: 'GET', url: `/api/alert-rules/${rule.id}`, token: h.a.tokens.read })
    ).json().data;
    expect(after.last_triggered_at).toBe(firedAt.toISOString());

    const triggered = await h.services.deps.db
      .select()
      .from(events)
      .where(and(eq(events.type, 'alert.triggered'), eq(events.orgId, h.a.orgId)));
    const mine = triggered.filter((e) => (e.data.alert_rule as { id: string }).id === rule.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.agentId).toBe(agent.agent.id);
    expect(mine[0]!.data).toMatchObject({
      alert_rule: after,
      measured_value: 2.5,
      threshold: 2,
      unit: 'usd',
      window: { minutes: 10 },
      agent_id: agent.agent.id,
    });

    h.clock.advance(60_000);
    expect((await evaluateAlertRulesOnce(db, h.clock.now()))?.triggered).not.toContain(rule.id);
    await h.request({ method: 'POST', url: `/api/alert-rules/${rule.id}/disable`, token: h.a.tokens.write });
    h.clock.advance(60_000);
    expect((await evaluateAlertRulesOnce(db, h.clock.now()))?.triggered).not.toContain(rule.id);
    await h.request({ method: 'POST', url: `/api/alert-rules/${rule.id}/enable`, token: h.a.tokens.write });
    expect((await evaluateAlertRulesOnce(db, h.clock.now()))?.triggered).toContain(rule.id);
  });
});

describe('other transports', () => {
  it('serves alert rules over tRPC with the same validation', async () => {
    const created = await h.request({
      method: 'POST',
      url: '/trpc/alertRules.create',
      token: h.a.tokens.write,
      body: { name: 'via-trpc', condition_type: 'failover_rate', condition_config: { threshold_percent: 40 } },
    });
    expect(created.statusCode, created.body).toBe(200);
    const rule = created.json().result.data;
    expect(rule.condition_config).toEqual({ threshold_percent: 40, window_minutes: 15, min_calls: 10 });
    const bad = await h.request({
      method: 'POST',
      url: '/trpc/alertRules.update',
      token: h.a.tokens.write,
      body: { id: rule.id, condition_config: { min_calls: -1 } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.data.fields).toHaveProperty(['condition_config.min_calls']);
    const disabled = await h.request({
      method: 'POST',
      url: '/trpc/alertRules.disable',
      token: h.a.tokens.write,
      body: { id: rule.id },
    });
    expect(disabled.json().result.data.status).toBe('disabled');
    const listed = await h.request({
      method: 'GET',
      url: `/trpc/alertRules.list?input=${encodeURIComponent(JSON.stringify({ status: 'disabled' }))}`,
      token: h.a.tokens.read,
    });
    expect(listed.json().result.data.map((r: { id: string }) => r.id)).toContain(rule.id);
  });

  it('answers GraphQL reads for the caller’s org only', async () => {
    const rule = await createRule({
      name: 'via-graphql',
      condition_type: 'approval_pending_timeout',
      condition_config: { threshold_minutes: 5 },
    });
    const query = `{ alertRules(condition_type: approval_pending_timeout) { id name condition_config status } alertRule(id: "${rule.id}") { name cooldown_seconds last_triggered_at } }`;
    const res = await h.request({ method: 'POST', url: '/graphql', token: h.a.tokens.read, body: { query } });
    expect(res.statusCode).toBe(200);
    const data = res.json().data;
    expect(data.alertRules).toContainEqual({
      id: rule.id,
      name: 'via-graphql',
      condition_config: { threshold_minutes: 5 },
      status: 'active',
    });
    expect(data.alertRule).toEqual({ name: 'via-graphql', cooldown_seconds: 300, last_triggered_at: null });
    const foreign = await h.request({
      method: 'POST',
      url: '/graphql',
      token: h.b.tokens.read,
      body: { query: `{ alertRule(id: "${rule.id}") { id } }` },
    });
    expect(foreign.json().errors[0].message).toMatch(/not found/i);
  });
});
