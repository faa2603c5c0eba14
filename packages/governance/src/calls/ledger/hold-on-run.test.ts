import { type Database, runs } from '@rungate/db';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { seedRun, useTestDatabase } from '../../../test/fixtures.ts';
import { createRunHolds, type RunHoldRequest } from './hold-on-run.ts';

let db: Database;
useTestDatabase((opened) => {
  db = opened.db;
});

const now = new Date('2026-06-01T12:00:00Z');
const limits = { hardLimitUsd: 1, hardLimitTokens: 1_000, maxCostPerHourUsd: null };

type Ids = Awaited<ReturnType<typeof seedRun>>;
const request = (ids: Ids, run: RunHoldRequest['run'], amountUsd = '0.1', tokens = 10): RunHoldRequest => ({
  orgId: ids.orgId,
  agentId: ids.agentId,
  policyId: ids.policyId,
  run,
  limits,
  hold: { amountUsd, tokens },
  now,
  ttlMs: 60_000,
});

/** The holds written for the run and the run's own count of them: the two must agree. */
const heldOn = async (runId: string) => {
  const [held] = await db
    .execute(
      sql`SELECT coalesce(sum(amount_usd), 0)::numeric(20, 10)::text AS usd, count(*)::int AS n FROM budget_reservations WHERE run_id = ${runId}::uuid`,
    )
    .then((r) => (Array.isArray(r) ? r : (r as { rows: unknown[] }).rows) as { usd: string; n: number }[]);
  const [run] = await db.select().from(runs).where(eq(runs.id, runId));
  return { holds: held!.n, heldUsd: held!.usd, runReservedUsd: run!.reservedUsd };
};

describe('createRunHolds', () => {
  it('holds on many runs in shared statements, and a run named twice in a batch still counts every hold', async () => {
    const seeded = await Promise.all(Array.from({ length: 4 }, () => seedRun(db)));
    const hold = createRunHolds(db);
    const results = await Promise.all(
      seeded.flatMap((ids) => [hold(request(ids, { runId: ids.runId })), hold(request(ids, { runId: ids.runId }))]),
    );
    expect(results.every((r) => r !== null)).toBe(true);
    expect(new Set(results.map((r) => r!.reservationId)).size).toBe(8);
    for (const ids of seeded) {
      expect(await heldOn(ids.runId)).toEqual({ holds: 2, heldUsd: '0.2000000000', runReservedUsd: '0.2000000000' });
    }
    expect(results[0]!.run).toMatchObject({
      id: seeded[0]!.runId,
      agentId: seeded[0]!.agentId,
      status: 'running',
      stepCount: 0,
    });
  });

  it('never lets concurrent batched holds exceed the hard limit', async () => {
    const ids = await seedRun(db);
    const hold = createRunHolds(db);
    const results = await Promise.all(
      Array.from({ length: 30 }, () => hold(request(ids, { runId: ids.runId }, '0.07'))),
    );
    expect(results.filter((r) => r !== null)).toHaveLength(14);
    expect(await heldOn(ids.runId)).toEqual({ holds: 14, heldUsd: '0.9800000000', runReservedUsd: '0.9800000000' });
  });

  it('counts the holds of one run in batch order: each is held while it fits after those before it', async () => {
    const ids = await seedRun(db);
    const hold = createRunHolds(db);
    // The first request goes alone; the next three share one statement, behind its 0.5.
    const results = await Promise.all(
      ['0.5', '0.3', '0.3', '0.1'].map((usd) => hold(request(ids, { runId: ids.runId }, usd))),
    );
    expect(results.map((r) => r !== null)).toEqual([true, true, false, false]);
    // The 0.1 would fit on its own, but counts after the refused 0.3: it takes the locked path.
    expect(await heldOn(ids.runId)).toEqual({ holds: 2, heldUsd: '0.8000000000', runReservedUsd: '0.8000000000' });
    expect(results[1]!.run).toMatchObject({ id: ids.runId, reservedUsd: '0.8000000000' });
  });

  it("finds the agent's implicit run while it is active, and nothing once it is not", async () => {
    const ids = await seedRun(db);
    const other = await seedRun(db);
    const hold = createRunHolds(db);
    const [found, notActive, foreign] = await Promise.all([
      hold(request(ids, { activeSince: new Date(now.getTime() - 3_600_000) })),
      hold(request(other, { activeSince: new Date(Date.now() + 60_000) })),
      hold({ ...request(ids, { runId: other.runId }) }),
    ]);
    expect(found?.run.id).toBe(ids.runId);
    expect(notActive).toBeNull();
    expect(foreign).toBeNull();
    expect(await heldOn(other.runId)).toEqual({ holds: 0, heldUsd: '0.0000000000', runReservedUsd: '0.0000000000' });
  });

  it('refuses holds on an ended run or past the token limit, alone or batched', async () => {
    const ended = await seedRun(db);
    await db.update(runs).set({ status: 'completed' }).where(eq(runs.id, ended.runId));
    const tight = await seedRun(db);
    const hold = createRunHolds(db);
    expect(await hold(request(ended, { runId: ended.runId }))).toBeNull();
    const [a, b] = await Promise.all([
      hold(request(ended, { runId: ended.runId })),
      hold(request(tight, { runId: tight.runId }, '0.01', 1_001)),
    ]);
    expect([a, b]).toEqual([null, null]);
    expect(await heldOn(tight.runId)).toEqual({ holds: 0, heldUsd: '0.0000000000', runReservedUsd: '0.0000000000' });
  });
});
