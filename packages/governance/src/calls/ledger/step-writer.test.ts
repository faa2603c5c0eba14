import { agentSpendMinutes, type Database, ledgerEntries, runs, steps } from '@rungate/db';
import { asc, eq, sql } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { seedRun, useTestDatabase } from '../../../test/fixtures.ts';
import { stepRecord } from '../../testing.ts';
import type { StepRecord } from './record-step.ts';
import { reserveBudget } from './reserve-budget.ts';
import { createStepWriter } from './step-writer.ts';

let db: Database;
useTestDatabase((opened) => {
  db = opened.db;
});

const now = new Date('2026-06-01T12:00:00Z');

const step = (ids: { orgId: string; runId: string; agentId: string }, overrides: Partial<StepRecord> = {}) =>
  stepRecord(ids, now, overrides);

it('writes concurrent steps of several runs together, numbering each run and keeping its totals equal to its ledger', async () => {
  const a = await seedRun(db);
  const b = await seedRun(db);
  const holds = await Promise.all(
    Array.from({ length: 6 }, () =>
      reserveBudget(
        db,
        { ...a, limits: { hardLimitUsd: 1, hardLimitTokens: null, maxCostPerHourUsd: null }, now, ttlMs: 60_000 },
        () => ({ amountUsd: '0.01', tokens: 20 }),
      ),
    ),
  );
  const writer = createStepWriter(db);
  const written = await Promise.all([
    ...holds.map((hold) => writer.write(step(a, { reservationId: hold.reserved ? hold.reservationId : null }))),
    ...Array.from({ length: 5 }, (_, i) =>
      writer.write(
        step(
          b,
          i === 2
            ? {
                status: 'policy_blocked',
                usage: { input: 0, output: 0, cacheRead: 0, cacheCreation: 0 },
                costUsd: '0',
                governanceBlock: true,
              }
            : {},
        ),
      ),
    ),
  ]);
  expect(new Set(written.map((w) => w.stepId)).size).toBe(11);

  for (const [ids, count, charged] of [
    [a, 6, 6],
    [b, 5, 4],
  ] as const) {
    const numbers = (
      await db
        .select({ n: steps.stepNumber })
        .from(steps)
        .where(eq(steps.runId, ids.runId))
        .orderBy(asc(steps.stepNumber))
    ).map((r) => r.n);
    expect(numbers).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    const [run] = await db.select().from(runs).where(eq(runs.id, ids.runId));
    const [ledger] = await db
      .select({
        cost: sql<string>`coalesce(sum(${ledgerEntries.costUsd}), 0)::numeric(20, 10)::text`,
        tokens: sql<number>`coalesce(sum(${ledgerEntries.inputTokens} + ${ledgerEntries.outputTokens} + ${ledgerEntries.cacheReadTokens} + ${ledgerEntries.cacheCreationTokens}), 0)::int`,
        n: sql<number>`count(*)::int`,
      })
      .from(ledgerEntries)
      .where(eq(ledgerEntries.runId, ids.runId));
    expect(run).toMatchObject({
      stepCount: count,
      totalCostUsd: ledger!.cost,
      totalTokens: ledger!.tokens,
      reservedUsd: '0.0000000000',
      reservedTokens: 0,
    });
    expect(ledger!.n).toBe(charged);
    // What the hourly cap counts moved with the ledger: each seeded run has its own agent.
    const [spend] = await db
      .select({
        cost: sql<string>`sum(${agentSpendMinutes.costUsd})::numeric(20, 10)::text`,
        minutes: sql<number>`count(*)::int`,
      })
      .from(agentSpendMinutes)
      .where(eq(agentSpendMinutes.agentId, ids.agentId));
    expect(spend).toEqual({ cost: ledger!.cost, minutes: 1 });
  }
  const [runB] = await db.select().from(runs).where(eq(runs.id, b.runId));
  expect(runB!.hasGovernanceBlock).toBe(true);
});

it('fails only the step whose run is gone', async () => {
  const a = await seedRun(db);
  const writer = createStepWriter(db);
  const results = await Promise.allSettled([
    writer.write(step(a)),
    writer.write(step(a)),
    writer.write(step({ ...a, runId: '00000000-0000-4000-8000-000000000000' })),
    writer.write(step(a)),
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  const [run] = await db.select().from(runs).where(eq(runs.id, a.runId));
  expect(run!.stepCount).toBe(3);
});

it('retries a failed batch step by step, so only the step that cannot be written fails', async () => {
  const a = await seedRun(db);
  const writer = createStepWriter(db);
  // A provider key that does not exist breaks its insert (foreign key), and with it the whole batch.
  const results = await Promise.allSettled([
    writer.write(step(a)),
    writer.write(step(a)),
    writer.write(step(a, { providerKeyId: '00000000-0000-4000-8000-000000000001' })),
    writer.write(step(a)),
  ]);
  expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  const numbers = (
    await db.select({ n: steps.stepNumber }).from(steps).where(eq(steps.runId, a.runId)).orderBy(asc(steps.stepNumber))
  ).map((r) => r.n);
  expect(numbers).toEqual([1, 2, 3]);
});
