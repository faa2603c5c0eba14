import { randomUUID } from 'node:crypto';
import {
  accounts,
  agents,
  alertRules,
  approvalRequests,
  createDatabase,
  type Database,
  events,
  ledgerEntries,
  policies,
  queryRows,
  runs,
  steps,
} from '@rungate/db';
import type { TestDatabase } from '@rungate/db/testing';
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../test/fixtures.ts';
import { ManualClock } from '../../time/clock.ts';
import { evaluateAlertRules, evaluateAlertRulesOnce } from './evaluator.ts';

let database: TestDatabase;
let db: Database;
useTestDatabase((opened) => {
  database = opened;
  db = opened.db;
});

const MINUTE = 60_000;
type Run = typeof runs.$inferSelect;

/** An org with one policy and two agents, each with a running run. */
async function seedOrg(rateLimits: { max_requests_per_minute?: number; max_tokens_per_minute?: number } = {}) {
  const [account] = await db
    .insert(accounts)
    .values({ name: 'Org', slug: `o-${randomUUID().slice(0, 8)}` })
    .returning();
  const orgId = account!.id;
  const [policy] = await db.insert(policies).values({ orgId, name: 'p', rateLimits }).returning();
  const agent = async (name: string) => {
    const [row] = await db
      .insert(agents)
      .values({ orgId, name, apiKeyHash: randomUUID(), apiKeyPrefix: 'rg_sk_x', policyId: policy!.id })
      .returning();
    const [run] = await db
      .insert(runs)
      .values({ orgId, agentId: row!.id, policyId: policy!.id, creationMethod: 'implicit' })
      .returning();
    return { id: row!.id, run: run! };
  };
  return { orgId, policyId: policy!.id, first: await agent('first'), second: await agent('second') };
}

const stepNumbers = new Map<string, number>();

/** A step (and its ledger entry when it cost something) written as the proxy would. */
async function addStep(run: Run, at: Date, values: Partial<typeof steps.$inferInsert> = {}) {
  const stepNumber = (stepNumbers.get(run.id) ?? 0) + 1;
  stepNumbers.set(run.id, stepNumber);
  const [step] = await db
    .insert(steps)
    .values({
      orgId: run.orgId,
      runId: run.id,
      agentId: run.agentId,
      stepNumber,
      type: 'llm_call',
      provider: 'openai',
      model: 'gpt-4o',
      status: 'success',
      createdAt: at,
      ...values,
    })
    .returning();
  if (Number(step!.costUsd) > 0) {
    await db.insert(ledgerEntries).values({
      orgId: run.orgId,
      runId: run.id,
      stepId: step!.id,
      agentId: run.agentId,
      provider: 'openai',
      model: 'gpt-4o',
      costUsd: step!.costUsd,
      createdAt: at,
    });
  }
}

async function addRule(
  orgId: string,
  values: Partial<typeof alertRules.$inferInsert> & Pick<typeof alertRules.$inferInsert, 'conditionType'>,
) {
  const [rule] = await db
    .insert(alertRules)
    .values({ orgId, name: `rule-${randomUUID()}`, ...values })
    .returning();
  return rule!;
}

const triggeredEvents = async (ruleId: string) =>
  (await db.select().from(events).where(eq(events.type, 'alert.triggered'))).filter(
    (e) => (e.data.alert_rule as { id: string }).id === ruleId,
  );

/** Runs a pass and tells whether `ruleId` fired in it. */
const firesAt = async (ruleId: string, now: Date) => (await evaluateAlertRules(db, now)).triggered.includes(ruleId);

describe('cost_threshold', () => {
  it('fires once spend in the window reaches the threshold, with the measured value in alert.triggered', async () => {
    const org = await seedOrg();
    const clock = new ManualClock(new Date('2026-03-01T12:00:00Z'));
    const now = clock.now();
    const rule = await addRule(org.orgId, {
      conditionType: 'cost_threshold',
      conditionConfig: { threshold_usd: 1, window_minutes: 60 },
    });
    await addStep(org.first.run, new Date(now.getTime() - 61 * MINUTE), { costUsd: '5' });
    await addStep(org.first.run, new Date(now.getTime() - 10 * MINUTE), { costUsd: '0.6' });
    await addStep(org.second.run, new Date(now.getTime() - 5 * MINUTE), { costUsd: '0.3999999999' });
    expect(await firesAt(rule.id, now)).toBe(false);
    expect(await triggeredEvents(rule.id)).toEqual([]);

    await addStep(org.second.run, new Date(now.getTime() - MINUTE), { costUsd: '0.0000000001' });
    expect(await firesAt(rule.id, now)).toBe(true);

    const [event] = await triggeredEvents(rule.id);
    expect(event).toMatchObject({ orgId: org.orgId, agentId: null, createdAt: now });
    expect(event!.data).toEqual({
      alert_rule: expect.objectContaining({
        id: rule.id,
        name: rule.name,
        condition_type: 'cost_threshold',
        last_triggered_at: now.toISOString(),
      }),
      condition_type: 'cost_threshold',
      agent_id: null,
      measured_value: 1,
      threshold: 1,
      unit: 'usd',
      window: { minutes: 60, start: new Date(now.getTime() - 60 * MINUTE).toISOString(), end: now.toISOString() },
      details: {},
      triggered_at: now.toISOString(),
    });
    const [stored] = await db.select().from(alertRules).where(eq(alertRules.id, rule.id));
    expect(stored!.lastTriggeredAt).toEqual(now);
    expect(stored!.updatedAt).toEqual(rule.updatedAt);
  });

  it('respects cooldown_seconds between triggers', async () => {
    const org = await seedOrg();
    const clock = new ManualClock(new Date('2026-03-02T12:00:00Z'));
    const rule = await addRule(org.orgId, {
      conditionType: 'cost_threshold',
      conditionConfig: { threshold_usd: 1, window_minutes: 60 },
      cooldownSeconds: 600,
    });
    await addStep(org.first.run, clock.now(), { costUsd: '2' });
    expect(await firesAt(rule.id, clock.now())).toBe(true);
    clock.advance(599_000);
    expect(await firesAt(rule.id, clock.now())).toBe(false);
    clock.advance(1_000);
    expect(await firesAt(rule.id, clock.now())).toBe(true);
    expect(await triggeredEvents(rule.id)).toHaveLength(2);
  });

  it('counts only its agent when scoped to one', async () => {
    const org = await seedOrg();
    const now = new Date('2026-03-03T12:00:00Z');
    const scoped = await addRule(org.orgId, {
      conditionType: 'cost_threshold',
      agentId: org.first.id,
      conditionConfig: { threshold_usd: 1, window_minutes: 60 },
    });
    const global = await addRule(org.orgId, {
      conditionType: 'cost_threshold',
      conditionConfig: { threshold_usd: 1, window_minutes: 60 },
    });
    await addStep(org.second.run, now, { costUsd: '3' });
    const pass = await evaluateAlertRules(db, now);
    expect(pass.triggered).toContain(global.id);
    expect(pass.triggered).not.toContain(scoped.id);

    await addStep(org.first.run, now, { costUsd: '1.5' });
    expect(await firesAt(scoped.id, now)).toBe(true);
    const [event] = await triggeredEvents(scoped.id);
    expect(event!.agentId).toBe(org.first.id);
    expect(event!.data).toMatchObject({ agent_id: org.first.id, measured_value: 1.5 });
  });

  it('never fires a disabled rule, nor another org’s spend', async () => {
    const org = await seedOrg();
    const other = await seedOrg();
    const now = new Date('2026-03-04T12:00:00Z');
    const disabled = await addRule(org.orgId, {
      conditionType: 'cost_threshold',
      status: 'disabled',
      conditionConfig: { threshold_usd: 1 },
    });
    const quiet = await addRule(org.orgId, { conditionType: 'cost_threshold', conditionConfig: { threshold_usd: 1 } });
    await addStep(org.first.run, now, { costUsd: '5' });
    await addStep(other.first.run, now, { costUsd: '5' });
    const idle = await addRule(other.orgId, { conditionType: 'cost_threshold', conditionConfig: { threshold_usd: 6 } });
    const pass = await evaluateAlertRules(db, now);
    expect(pass.triggered).toContain(quiet.id);
    expect(pass.triggered).not.toContain(disabled.id);
    expect(pass.triggered).not.toContain(idle.id);
    expect(await triggeredEvents(disabled.id)).toEqual([]);
  });
});

describe('error_rate', () => {
  it('fires when the share of failed calls reaches the threshold, once min_calls is met; blocks are not calls', async () => {
    const org = await seedOrg();
    const now = new Date('2026-03-05T12:00:00Z');
    const rule = await addRule(org.orgId, {
      conditionType: 'error_rate',
      conditionConfig: { threshold_percent: 25, window_minutes: 15, min_calls: 4 },
    });
    const at = new Date(now.getTime() - 5 * MINUTE);
    await addStep(org.first.run, at, { status: 'error', errorKind: 'http_error' });
    await addStep(org.first.run, at, { status: 'timeout' });
    await addStep(org.first.run, at, { status: 'policy_blocked' });
    await addStep(org.first.run, at, { type: 'failover_transition', status: 'error' });
    // 2 of 2 calls failed, but 2 calls are fewer than min_calls.
    expect(await firesAt(rule.id, now)).toBe(false);

    for (let i = 0; i < 7; i++) await addStep(org.second.run, at);
    await addStep(org.second.run, new Date(now.getTime() - 16 * MINUTE), { status: 'error' });
    // 2 of 9 = 22.22%.
    expect(await firesAt(rule.id, now)).toBe(false);

    await addStep(org.second.run, at, { status: 'error' });
    // 3 of 10 = 30%.
    expect(await firesAt(rule.id, now)).toBe(true);
    const [event] = await triggeredEvents(rule.id);
    expect(event!.data).toMatchObject({
      measured_value: 30,
      threshold: 25,
      unit: 'percent',
      window: { minutes: 15 },
      details: { calls: 10, failed_calls: 3, min_calls: 4 },
    });
  });
});

describe('failover_rate', () => {
  it('fires when the share of calls that failed over reaches the threshold', async () => {
    const org = await seedOrg();
    const now = new Date('2026-03-06T12:00:00Z');
    const rule = await addRule(org.orgId, {
      conditionType: 'failover_rate',
      agentId: org.first.id,
      conditionConfig: { threshold_percent: 50, min_calls: 2 },
    });
    await addStep(org.first.run, now, { failoverAttempts: 1 });
    await addStep(org.first.run, now);
    await addStep(org.first.run, now);
    await addStep(org.second.run, now, { failoverAttempts: 2 });
    await addStep(org.second.run, now, { failoverAttempts: 2 });
    expect(await firesAt(rule.id, now)).toBe(false);

    await addStep(org.first.run, now, { failoverAttempts: 2, status: 'error' });
    expect(await firesAt(rule.id, now)).toBe(true);
    const [event] = await triggeredEvents(rule.id);
    expect(event!.data).toMatchObject({
      measured_value: 50,
      threshold: 50,
      details: { calls: 4, failed_over_calls: 2 },
    });
  });
});

describe('rate_limit_approaching', () => {
  it("fires when the agent's last minute reaches the share of its policy's requests_per_minute", async () => {
    const org = await seedOrg({ max_requests_per_minute: 10 });
    const now = new Date('2026-03-07T12:00:00Z');
    const rule = await addRule(org.orgId, {
      conditionType: 'rate_limit_approaching',
      agentId: org.first.id,
      conditionConfig: { threshold_percent: 80 },
    });
    for (let i = 0; i < 7; i++) await addStep(org.first.run, new Date(now.getTime() - 30_000));
    await addStep(org.first.run, new Date(now.getTime() - 61_000));
    await addStep(org.first.run, now, { status: 'policy_blocked' });
    for (let i = 0; i < 5; i++) await addStep(org.second.run, now);
    expect(await firesAt(rule.id, now)).toBe(false);

    await addStep(org.first.run, now, { type: 'dry_run' });
    expect(await firesAt(rule.id, now)).toBe(true);
    const [event] = await triggeredEvents(rule.id);
    expect(event!.data).toMatchObject({
      measured_value: 80,
      threshold: 80,
      unit: 'percent',
      window: { minutes: 1 },
      details: {
        policy_id: org.policyId,
        requests: 8,
        max_requests_per_minute: 10,
        tokens: 0,
        max_tokens_per_minute: null,
      },
    });
  });

  it('also watches tokens_per_minute, and measures nothing when the policy sets no limit', async () => {
    const limited = await seedOrg({ max_tokens_per_minute: 1_000 });
    const unlimited = await seedOrg();
    const now = new Date('2026-03-08T12:00:00Z');
    const tokens = await addRule(limited.orgId, {
      conditionType: 'rate_limit_approaching',
      agentId: limited.first.id,
      conditionConfig: { threshold_percent: 90 },
    });
    const none = await addRule(unlimited.orgId, {
      conditionType: 'rate_limit_approaching',
      agentId: unlimited.first.id,
      conditionConfig: { threshold_percent: 1 },
    });
    await addStep(limited.first.run, now, { inputTokens: 500, outputTokens: 300, cacheReadTokens: 99 });
    await addStep(unlimited.first.run, now, { inputTokens: 5_000 });
    expect(await firesAt(tokens.id, now)).toBe(false);
    await addStep(limited.first.run, now, { cacheCreationTokens: 1 });
    const pass = await evaluateAlertRules(db, now);
    expect(pass.triggered).toContain(tokens.id);
    expect(pass.triggered).not.toContain(none.id);
    const [event] = await triggeredEvents(tokens.id);
    expect(event!.data).toMatchObject({
      measured_value: 90,
      details: { requests: 2, tokens: 900, max_tokens_per_minute: 1_000 },
    });
  });
});

describe('approval_pending_timeout', () => {
  it('fires when an approval request has been pending at least threshold_minutes', async () => {
    const org = await seedOrg();
    const now = new Date('2026-03-09T12:00:00Z');
    const rule = await addRule(org.orgId, {
      conditionType: 'approval_pending_timeout',
      conditionConfig: { threshold_minutes: 30 },
    });
    const approval = (createdMinutesAgo: number, values: Partial<typeof approvalRequests.$inferInsert> = {}) =>
      db
        .insert(approvalRequests)
        .values({
          orgId: org.orgId,
          runId: org.first.run.id,
          agentId: org.first.id,
          policyId: org.policyId,
          toolName: 'deploy',
          createdAt: new Date(now.getTime() - createdMinutesAgo * MINUTE),
          expiresAt: new Date(now.getTime() + 60 * MINUTE),
          ...values,
        })
        .returning();
    await approval(20);
    await approval(90, { status: 'approved' });
    await approval(90, { expiresAt: new Date(now.getTime() - MINUTE) });
    expect(await firesAt(rule.id, now)).toBe(false);

    const [overdue] = await approval(45);
    await approval(31);
    expect(await firesAt(rule.id, now)).toBe(true);
    const [event] = await triggeredEvents(rule.id);
    expect(event!.data).toMatchObject({
      measured_value: 45,
      threshold: 30,
      unit: 'minutes',
      window: null,
      details: { overdue_requests: 2, oldest_approval_request_id: overdue!.id },
    });
  });
});

describe('concurrency', () => {
  it('fires a rule once when two evaluators pass at the same moment', async () => {
    const org = await seedOrg();
    const now = new Date('2026-03-10T12:00:00Z');
    const rule = await addRule(org.orgId, { conditionType: 'cost_threshold', conditionConfig: { threshold_usd: 1 } });
    await addStep(org.first.run, now, { costUsd: '2' });
    const passes = await Promise.all([
      evaluateAlertRules(db, now),
      evaluateAlertRules(db, now),
      evaluateAlertRulesOnce(db, now),
    ]);
    expect(passes.filter((pass) => pass?.triggered.includes(rule.id))).toHaveLength(1);
    expect(await triggeredEvents(rule.id)).toHaveLength(1);
    const [stored] = await db
      .select()
      .from(alertRules)
      .where(and(eq(alertRules.id, rule.id), eq(alertRules.orgId, org.orgId)));
    expect(stored!.lastTriggeredAt).toEqual(now);
  });

  // Another connection is another instance; PGlite has only one.
  it.skipIf(!process.env.DATABASE_URL)('skips a pass while another instance holds the evaluator lock', async () => {
    const other = await createDatabase({ url: database.url! });
    try {
      let release!: () => void;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked!: () => void;
      const lockTaken = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const holder = other.db.transaction(async (tx) => {
        await queryRows(tx, sql`SELECT pg_advisory_xact_lock(hashtextextended('rungate:alert-evaluator', 0))`);
        locked();
        await held;
      });
      await lockTaken;
      expect(await evaluateAlertRulesOnce(db, new Date('2026-03-11T12:00:00Z'))).toBeNull();
      release();
      await holder;
      expect(await evaluateAlertRulesOnce(db, new Date('2026-03-11T12:00:00Z'))).not.toBeNull();
    } finally {
      await other.close();
    }
  });
});
