import { approvalRequests, budgetReservations, type Database, events, runs } from '@rungate/db';
import { createTestDatabase, type TestDatabase } from '@rungate/db/testing';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { seedRun } from '../../test/fixtures.ts';
import { sweepOnce } from './sweeps.ts';

let database: TestDatabase;
let db: Database;
beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
});
afterAll(() => database.close());

const now = new Date('2026-06-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);

it('completes idle runs, expires approvals and drops stale holds in one pass', async () => {
  const idle = await seedRun(db);
  const fresh = await seedRun(db);
  const shortTimeout = await seedRun(db);
  await db.update(runs).set({ lastActivityAt: minutesAgo(6) }).where(eq(runs.id, idle.runId));
  await db.update(runs).set({ lastActivityAt: minutesAgo(1) }).where(eq(runs.id, fresh.runId));
  await db
    .update(runs)
    .set({ lastActivityAt: minutesAgo(1), policySnapshot: { implicit_run_grouping: { run_idle_timeout_seconds: 30 }, outcome_defaults: { idle_timeout: 'partial' } } })
    .where(eq(runs.id, shortTimeout.runId));
  await db.insert(approvalRequests).values({ orgId: fresh.orgId, runId: fresh.runId, agentId: fresh.agentId, policyId: fresh.policyId, toolName: 'rm', expiresAt: minutesAgo(1) });
  await db.insert(budgetReservations).values({ orgId: fresh.orgId, runId: fresh.runId, agentId: fresh.agentId, amountUsd: '1', tokens: 10, expiresAt: minutesAgo(1) });

  expect(await sweepOnce(db, now)).toEqual({ idleRuns: 2, expiredApprovals: 1, staleHolds: 1 });

  const byId = async (id: string) => (await db.select().from(runs).where(eq(runs.id, id)))[0]!;
  expect(await byId(idle.runId)).toMatchObject({ status: 'completed', endedReason: 'idle_timeout', completionReason: 'idle_timeout', outcome: null });
  expect(await byId(shortTimeout.runId)).toMatchObject({ status: 'completed', outcome: 'partial' });
  expect((await byId(fresh.runId)).status).toBe('running');
  const [approval] = await db.select().from(approvalRequests).where(eq(approvalRequests.runId, fresh.runId));
  expect(approval!.status).toBe('expired');
  const types = (await db.select({ type: events.type }).from(events)).map((e) => e.type);
  expect(types).toEqual(expect.arrayContaining(['run.completed', 'approval.expired']));

  expect(await sweepOnce(db, now)).toEqual({ idleRuns: 0, expiredApprovals: 0, staleHolds: 0 });
});
