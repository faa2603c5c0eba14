import {
  agentSpendMinutes,
  approvalRequests,
  budgetReservations,
  createDatabase,
  type Database,
  type DatabaseHandle,
  events,
  runs,
} from '@rungate/db';
import { createTestDatabase, type TestDatabase } from '@rungate/db/testing';
import { and, count, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedRun } from '../../test/fixtures.ts';
import { withTryLock } from './exclusive.ts';
import { SWEEP_BATCH, sweepOnce } from './sweeps.ts';

/** Lock contention needs two connections; PGlite has one, so those checks run on PostgreSQL only. */
const onPostgres = Boolean(process.env.DATABASE_URL);

let database: TestDatabase;
let db: Database;
/** A second instance: its own pool on PostgreSQL, the same handle on PGlite. */
let other: DatabaseHandle | null = null;
let db2: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  other = database.url ? await createDatabase({ url: database.url, maxConnections: 2 }) : null;
  db2 = other?.db ?? db;
});
afterAll(async () => {
  await other?.close();
  await database.close();
});

const now = new Date('2026-06-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

it('completes idle runs, expires approvals and drops stale holds in one pass', async () => {
  const idle = await seedRun(db);
  const fresh = await seedRun(db);
  const shortTimeout = await seedRun(db);
  await db
    .update(runs)
    .set({ lastActivityAt: minutesAgo(6) })
    .where(eq(runs.id, idle.runId));
  await db
    .update(runs)
    .set({ lastActivityAt: minutesAgo(1) })
    .where(eq(runs.id, fresh.runId));
  await db
    .update(runs)
    .set({
      lastActivityAt: minutesAgo(1),
      policySnapshot: {
        implicit_run_grouping: { run_idle_timeout_seconds: 30 },
        outcome_defaults: { idle_timeout: 'partial' },
      },
    })
    .where(eq(runs.id, shortTimeout.runId));
  await db.insert(approvalRequests).values({
    orgId: fresh.orgId,
    runId: fresh.runId,
    agentId: fresh.agentId,
    policyId: fresh.policyId,
    toolName: 'rm',
    expiresAt: minutesAgo(1),
  });
  await db.insert(budgetReservations).values({
    orgId: fresh.orgId,
    runId: fresh.runId,
    agentId: fresh.agentId,
    amountUsd: '1',
    tokens: 10,
    expiresAt: minutesAgo(1),
  });

  expect(await sweepOnce(db, now)).toEqual({
    idleRuns: 2,
    expiredApprovals: 1,
    staleHolds: 1,
    pausedWebhookDeliveries: 0,
    purgedEvents: 0,
    purgedSpendMinutes: 0,
  });

  const byId = async (id: string) => (await db.select().from(runs).where(eq(runs.id, id)))[0]!;
  expect(await byId(idle.runId)).toMatchObject({
    status: 'completed',
    endedReason: 'idle_timeout',
    completionReason: 'idle_timeout',
    outcome: null,
  });
  expect(await byId(shortTimeout.runId)).toMatchObject({ status: 'completed', outcome: 'partial' });
  expect((await byId(fresh.runId)).status).toBe('running');
  const [approval] = await db.select().from(approvalRequests).where(eq(approvalRequests.runId, fresh.runId));
  expect(approval!.status).toBe('expired');
  const types = (await db.select({ type: events.type }).from(events)).map((e) => e.type);
  expect(types).toEqual(expect.arrayContaining(['run.completed']));

  expect(await sweepOnce(db, now)).toEqual({
    idleRuns: 0,
    expiredApprovals: 0,
    staleHolds: 0,
    pausedWebhookDeliveries: 0,
    purgedEvents: 0,
    purgedSpendMinutes: 0,
  });
});

/** `n` running runs of the seeded agent, idle since `lastActivityAt`, under the given frozen policy. */
async function seedIdleRuns(
  owner: Awaited<ReturnType<typeof seedRun>>,
  n: number,
  policySnapshot: Record<string, unknown>,
) {
  const rows = Array.from({ length: n }, () => ({
    orgId: owner.orgId,
    agentId: owner.agentId,
    policyId: owner.policyId,
    creationMethod: 'implicit' as const,
    policySnapshot,
    lastActivityAt: minutesAgo(10),
  }));
  return (await db.insert(runs).values(rows).returning({ id: runs.id })).map((r) => r.id);
}

it('loops past one batch: every idle run and every expired approval is handled in one pass', async () => {
  const owner = await seedRun(db);
  await db.update(runs).set({ lastActivityAt: now }).where(eq(runs.id, owner.runId));
  const total = SWEEP_BATCH + 7;
  const ids = await seedIdleRuns(owner, total, {
    implicit_run_grouping: { run_idle_timeout_seconds: 300 },
    outcome_defaults: { idle_timeout: 'failed' },
  });
  const approval = {
    orgId: owner.orgId,
    runId: owner.runId,
    agentId: owner.agentId,
    policyId: owner.policyId,
    toolName: 'rm',
    expiresAt: minutesAgo(1),
  };
  await db.insert(approvalRequests).values(Array.from({ length: total }, () => approval));

  expect(await sweepOnce(db, now)).toEqual({
    idleRuns: total,
    expiredApprovals: total,
    staleHolds: 0,
    pausedWebhookDeliveries: 0,
    purgedEvents: 0,
    purgedSpendMinutes: 0,
  });

  const ended = await db
    .select({
      status: runs.status,
      completionReason: runs.completionReason,
      outcome: runs.outcome,
      endedAt: runs.endedAt,
      n: count(),
    })
    .from(runs)
    .where(inArray(runs.id, ids))
    .groupBy(runs.status, runs.completionReason, runs.outcome, runs.endedAt);
  expect(ended).toEqual([
    { status: 'completed', completionReason: 'idle_timeout', outcome: 'failed', endedAt: now, n: total },
  ]);
  const pending = await db
    .select({ n: count() })
    .from(approvalRequests)
    .where(and(eq(approvalRequests.runId, owner.runId), eq(approvalRequests.status, 'pending')));
  expect(pending[0]!.n).toBe(0);
  expect((await db.select().from(runs).where(eq(runs.id, owner.runId)))[0]!.status).toBe('running');
});

it('two sweepers racing on the same database complete each idle run once', async () => {
  const owner = await seedRun(db);
  await db.update(runs).set({ lastActivityAt: now }).where(eq(runs.id, owner.runId));
  const ids = await seedIdleRuns(owner, SWEEP_BATCH + 50, {});

  const reports = await Promise.all([sweepOnce(db, now), sweepOnce(db2, now)]);

  expect(reports.reduce((sum, r) => sum + (r.idleRuns ?? 0), 0)).toBe(ids.length);
  const completedEvents = await db
    .select({ n: count() })
    .from(events)
    .where(and(eq(events.orgId, owner.orgId), eq(events.type, 'run.completed')));
  expect(completedEvents[0]!.n).toBe(ids.length);
  const stillRunning = await db
    .select({ n: count() })
    .from(runs)
    .where(and(inArray(runs.id, ids), eq(runs.status, 'running')));
  expect(stillRunning[0]!.n).toBe(0);
});

it.runIf(onPostgres)('skips a sweep another instance holds and still runs the other sweeps', async () => {
  const owner = await seedRun(db);
  await db
    .update(runs)
    .set({ lastActivityAt: minutesAgo(10) })
    .where(eq(runs.id, owner.runId));
  await db.insert(approvalRequests).values({
    orgId: owner.orgId,
    runId: owner.runId,
    agentId: owner.agentId,
    policyId: owner.policyId,
    toolName: 'rm',
    expiresAt: minutesAgo(1),
  });

  const report = await withTryLock(db2, 'sweep:idle-runs', () => sweepOnce(db, now));

  expect(report).toEqual({
    idleRuns: null,
    expiredApprovals: 1,
    staleHolds: 0,
    pausedWebhookDeliveries: 0,
    purgedEvents: 0,
    purgedSpendMinutes: 0,
  });
  expect((await db.select().from(runs).where(eq(runs.id, owner.runId)))[0]!.status).toBe('running');
  expect(await sweepOnce(db, now)).toEqual({
    idleRuns: 1,
    expiredApprovals: 0,
    staleHolds: 0,
    pausedWebhookDeliveries: 0,
    purgedEvents: 0,
    purgedSpendMinutes: 0,
  });
});

it('purges outbox events fanned out more than a day ago and keeps the rest', async () => {
  const { orgId } = await seedRun(db);
  const [old, recent, pending] = await db
    .insert(events)
    .values([
      { orgId, type: 'agent.created', data: {}, createdAt: minutesAgo(3000), dispatchedAt: minutesAgo(24 * 60 + 1) },
      { orgId, type: 'agent.created', data: {}, createdAt: minutesAgo(3000), dispatchedAt: minutesAgo(60) },
      { orgId, type: 'agent.created', data: {}, createdAt: minutesAgo(3000) },
    ])
    .returning({ id: events.id });
  expect((await sweepOnce(db, now)).purgedEvents).toBe(1);
  const left = (
    await db
      .select({ id: events.id })
      .from(events)
      .where(inArray(events.id, [old!.id, recent!.id, pending!.id]))
  ).map((e) => e.id);
  expect(left.sort()).toEqual([recent!.id, pending!.id].sort());
});

it("purges agents' spend per minute older than two hours, which no hourly cap reads", async () => {
  const { agentId } = await seedRun(db);
  await db.insert(agentSpendMinutes).values([
    { agentId, minute: minutesAgo(121), costUsd: '1' },
    { agentId, minute: minutesAgo(119), costUsd: '2' },
    { agentId, minute: minutesAgo(1), costUsd: '3' },
  ]);
  expect((await sweepOnce(db, now)).purgedSpendMinutes).toBe(1);
  const left = await db
    .select({ costUsd: agentSpendMinutes.costUsd })
    .from(agentSpendMinutes)
    .where(eq(agentSpendMinutes.agentId, agentId));
  expect(left.map((row) => Number(row.costUsd)).sort()).toEqual([2, 3]);
});
