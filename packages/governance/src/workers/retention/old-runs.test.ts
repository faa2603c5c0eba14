import { approvalRequests, type Database, ledgerEntries, queryRows, runs, steps } from '@rungate/db';
import { eq, inArray, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { seedRun, useTestDatabase } from '../../../test/fixtures.ts';
import { countOldData, purgeOldData } from './old-runs.ts';

/** Lock contention needs two connections; PGlite has one, so that check runs on PostgreSQL only. */
const onPostgres = Boolean(process.env.DATABASE_URL);

let db: Database;
useTestDatabase((opened) => {
  db = opened.db;
});

const now = new Date('2026-06-01T12:00:00Z');
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
const cutoff = daysAgo(30);

type Owner = Awaited<ReturnType<typeof seedRun>>;

/** A run with `stepCount` billed steps of 0.25 USD each; its totals match its ledger, as the proxy writes them. */
async function seedRunWithSteps(
  owner: Owner,
  options: {
    stepCount: number;
    status?: 'running' | 'completed' | 'failed';
    startedAt: Date;
    endedAt?: Date | null;
    lastActivityAt?: Date;
  },
) {
  const status = options.status ?? 'completed';
  const lastActivityAt = options.lastActivityAt ?? options.endedAt ?? options.startedAt;
  const [run] = await db
    .insert(runs)
    .values({
      orgId: owner.orgId,
      agentId: owner.agentId,
      policyId: owner.policyId,
      creationMethod: 'implicit',
      status,
      startedAt: options.startedAt,
      endedAt: status === 'running' ? null : (options.endedAt ?? options.startedAt),
      lastActivityAt,
      stepCount: options.stepCount,
      totalTokens: 10 * options.stepCount,
      totalCostUsd: (0.25 * options.stepCount).toFixed(10),
    })
    .returning();
  for (let n = 1; n <= options.stepCount; n += 1) {
    const [step] = await db
      .insert(steps)
      .values({
        orgId: owner.orgId,
        runId: run!.id,
        agentId: owner.agentId,
        stepNumber: n,
        type: 'llm_call',
        provider: 'openai',
        model: 'gpt-4o',
        status: 'success',
        inputTokens: 10,
        costUsd: '0.25',
        createdAt: options.startedAt,
      })
      .returning();
    await db.insert(ledgerEntries).values({
      orgId: owner.orgId,
      runId: run!.id,
      stepId: step!.id,
      agentId: owner.agentId,
      provider: 'openai',
      model: 'gpt-4o',
      inputTokens: 10,
      costUsd: '0.25',
      createdAt: options.startedAt,
    });
  }
  return run!;
}

/** Runs of the org whose totals differ from the sum of their ledger entries (must stay empty). */
async function ledgerMismatches(orgId: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`SELECT r.id FROM runs r LEFT JOIN ledger_entries l ON l.run_id = r.id
        WHERE r.org_id = ${orgId}
        GROUP BY r.id HAVING r.total_cost_usd <> coalesce(sum(l.cost_usd), 0)`,
  );
  return rows.map((r) => r.id);
}

const existing = async (ids: string[]) =>
  (await db.select({ id: runs.id }).from(runs).where(inArray(runs.id, ids))).map((r) => r.id).sort();

describe('retention cleanup', () => {
  it('deletes exactly what the preview counted: ended old runs with their steps, ledger entries and approvals', async () => {
    const owner = await seedRun(db);
    const old = await seedRunWithSteps(owner, { stepCount: 3, startedAt: daysAgo(45), endedAt: daysAgo(40) });
    const oldFailed = await seedRunWithSteps(owner, {
      stepCount: 1,
      status: 'failed',
      startedAt: daysAgo(31),
      endedAt: daysAgo(31),
    });
    const recent = await seedRunWithSteps(owner, { stepCount: 2, startedAt: daysAgo(5), endedAt: daysAgo(5) });
    // Started long ago but ended inside the retention period: its last steps are recent.
    const endedLately = await seedRunWithSteps(owner, { stepCount: 2, startedAt: daysAgo(60), endedAt: daysAgo(10) });
    // Ended long ago, but a late blocked call touched it since.
    const touchedLately = await seedRunWithSteps(owner, {
      stepCount: 1,
      startedAt: daysAgo(60),
      endedAt: daysAgo(50),
      lastActivityAt: daysAgo(2),
    });
    const stillRunning = await seedRunWithSteps(owner, {
      stepCount: 2,
      status: 'running',
      startedAt: daysAgo(90),
      lastActivityAt: daysAgo(80),
    });
    await db.insert(approvalRequests).values({
      orgId: owner.orgId,
      runId: old.id,
      agentId: owner.agentId,
      policyId: owner.policyId,
      toolName: 'rm',
      expiresAt: daysAgo(40),
    });

    const preview = await countOldData(db, owner.orgId, cutoff);
    expect(preview).toEqual({ runs: 2, steps: 4, ledgerEntries: 4 });

    const purged = await purgeOldData(db, owner.orgId, cutoff);
    expect(purged).toEqual({ ...preview, batches: 1 });

    const kept = [recent.id, endedLately.id, touchedLately.id, stillRunning.id, owner.runId];
    expect(await existing([old.id, oldFailed.id, ...kept])).toEqual([...kept].sort());
    expect(
      await db
        .select()
        .from(steps)
        .where(inArray(steps.runId, [old.id, oldFailed.id])),
    ).toEqual([]);
    expect(
      await db
        .select()
        .from(ledgerEntries)
        .where(inArray(ledgerEntries.runId, [old.id, oldFailed.id])),
    ).toEqual([]);
    expect(await db.select().from(approvalRequests).where(eq(approvalRequests.runId, old.id))).toEqual([]);
    expect((await db.select().from(steps).where(eq(steps.runId, stillRunning.id))).length).toBe(2);
    expect(await ledgerMismatches(owner.orgId)).toEqual([]);

    expect(await countOldData(db, owner.orgId, cutoff)).toEqual({ runs: 0, steps: 0, ledgerEntries: 0 });
    expect(await purgeOldData(db, owner.orgId, cutoff)).toEqual({ runs: 0, steps: 0, ledgerEntries: 0, batches: 0 });
  });

  it("touches only the given org's data", async () => {
    const mine = await seedRun(db);
    const theirs = await seedRun(db);
    const myOld = await seedRunWithSteps(mine, { stepCount: 2, startedAt: daysAgo(40), endedAt: daysAgo(40) });
    const theirOld = await seedRunWithSteps(theirs, { stepCount: 2, startedAt: daysAgo(40), endedAt: daysAgo(40) });

    expect(await countOldData(db, mine.orgId, cutoff)).toEqual({ runs: 1, steps: 2, ledgerEntries: 2 });
    expect(await purgeOldData(db, mine.orgId, cutoff)).toMatchObject({ runs: 1, steps: 2, ledgerEntries: 2 });

    expect(await existing([myOld.id, theirOld.id])).toEqual([theirOld.id]);
    expect((await db.select().from(ledgerEntries).where(eq(ledgerEntries.runId, theirOld.id))).length).toBe(2);
  });

  it('deletes in several short batches of whole runs, keeping every remaining run equal to its ledger after each', async () => {
    const owner = await seedRun(db);
    // Each run weighs 1 + 2 * 3 = 7 rows: a 20-row batch takes two runs.
    const old = [];
    for (let i = 0; i < 7; i += 1)
      old.push(await seedRunWithSteps(owner, { stepCount: 3, startedAt: daysAgo(40 + i), endedAt: daysAgo(40) }));
    // Larger than a batch on its own: deleted whole, in a batch of its own.
    const big = await seedRunWithSteps(owner, { stepCount: 12, startedAt: daysAgo(35), endedAt: daysAgo(35) });
    const recent = await seedRunWithSteps(owner, { stepCount: 3, startedAt: daysAgo(1), endedAt: daysAgo(1) });

    expect(await countOldData(db, owner.orgId, cutoff)).toEqual({ runs: 8, steps: 33, ledgerEntries: 33 });
    expect(await purgeOldData(db, owner.orgId, cutoff, 20)).toEqual({
      runs: 8,
      steps: 33,
      ledgerEntries: 33,
      batches: 5,
    });

    expect(await existing([...old.map((r) => r.id), big.id, recent.id])).toEqual([recent.id]);
    expect(await ledgerMismatches(owner.orgId)).toEqual([]);
  });

  it.runIf(onPostgres)('skips a run another transaction holds instead of waiting for it', async () => {
    const owner = await seedRun(db);
    const busy = await seedRunWithSteps(owner, { stepCount: 1, startedAt: daysAgo(40), endedAt: daysAgo(40) });
    const idle = await seedRunWithSteps(owner, { stepCount: 1, startedAt: daysAgo(41), endedAt: daysAgo(41) });

    const purged = await db.transaction(async (tx) => {
      await tx.select().from(runs).where(eq(runs.id, busy.id)).for('update');
      return purgeOldData(db, owner.orgId, cutoff);
    });

    expect(purged).toMatchObject({ runs: 1, steps: 1, ledgerEntries: 1 });
    expect(await existing([busy.id, idle.id])).toEqual([busy.id]);
    expect(await ledgerMismatches(owner.orgId)).toEqual([]);
  });
});
