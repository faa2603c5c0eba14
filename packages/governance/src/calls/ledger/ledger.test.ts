import { type Database, events, ledgerEntries, runs, steps, webhooks } from '@rungate/db';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { seedRun, useTestDatabase } from '../../../test/fixtures.ts';
import { stepRecord } from '../../testing.ts';
import { NO_USAGE } from '../pricing/usage.ts';
import { recordStep, type StepRecord } from './record-step.ts';
import { releaseReservation, reserveBudget, sweepExpiredReservations } from './reserve-budget.ts';

let db: Database;
useTestDatabase((opened) => {
  db = opened.db;
});

const now = new Date('2026-06-01T12:00:00Z');

const step = (ids: { orgId: string; runId: string; agentId: string }, overrides: Partial<StepRecord> = {}) =>
  stepRecord(ids, now, overrides);

describe('recordStep', () => {
  it('writes step, ledger entry and run totals together, numbering steps', async () => {
    const ids = await seedRun(db);
    const first = await recordStep(db, step(ids));
    const second = await recordStep(db, step(ids, { costUsd: '0.0000000001', usage: { ...NO_USAGE, output: 1 } }));
    expect([first.stepNumber, second.stepNumber]).toEqual([1, 2]);
    expect(second.runTotalCostUsd).toBe('0.0000465001');
    expect(second.runTotalTokens).toBe(161);

    const [run] = await db.select().from(runs).where(eq(runs.id, ids.runId));
    expect(run).toMatchObject({
      stepCount: 2,
      inputTokens: 100,
      outputTokens: 51,
      cacheReadTokens: 10,
      totalTokens: 161,
    });
    const [sum] = await db
      .select({ cost: sql<string>`sum(${ledgerEntries.costUsd})`, n: sql<number>`count(*)::int` })
      .from(ledgerEntries)
      .where(eq(ledgerEntries.runId, ids.runId));
    expect(sum).toEqual({ cost: run!.totalCostUsd, n: 2 });
  });

  it('records a blocked step without a ledger entry and flags the run', async () => {
    const ids = await seedRun(db);
    await recordStep(
      db,
      step(ids, {
        status: 'policy_blocked',
        usage: NO_USAGE,
        costUsd: '0',
        governanceBlock: true,
        response: { error: { code: 'model_blocked' } },
      }),
    );
    const [run] = await db.select().from(runs).where(eq(runs.id, ids.runId));
    expect(run).toMatchObject({ stepCount: 1, hasGovernanceBlock: true, totalCostUsd: '0.0000000000' });
    expect(await db.select().from(ledgerEntries).where(eq(ledgerEntries.runId, ids.runId))).toHaveLength(0);
    expect(await db.select().from(steps).where(eq(steps.runId, ids.runId))).toHaveLength(1);
  });
});

describe('step events', () => {
  const stepEvents = async (runId: string) =>
    (await db.select().from(events).where(sql`${events.data} ->> 'run_id' = ${runId}`)).map((e) => ({
      type: e.type,
      agentId: e.agentId,
      step: (e.data as { step: { id: string; status: string; cost_usd: number } }).step,
    }));

  it('records the step event only while a live webhook of the org would receive it', async () => {
    const ids = await seedRun(db);
    await recordStep(db, step(ids));
    expect(await stepEvents(ids.runId)).toEqual([]);

    const hook = { orgId: ids.orgId, url: 'https://example.test/hook', secretEncrypted: 'x' };
    await db.insert(webhooks).values({ ...hook, name: 'completed', events: ['step.completed'] });
    await db.insert(webhooks).values({ ...hook, name: 'paused', events: ['step.policy_blocked'], status: 'paused' });
    const recorded = await recordStep(db, step(ids));
    await recordStep(db, step(ids, { status: 'policy_blocked', usage: NO_USAGE, costUsd: '0', governanceBlock: true }));
    await recordStep(db, step(ids, { status: 'error', usage: NO_USAGE, costUsd: '0' }));
    expect(await stepEvents(ids.runId)).toEqual([
      {
        type: 'step.completed',
        agentId: ids.agentId,
        step: expect.objectContaining({ id: recorded.stepId, status: 'success', cost_usd: 0.0000465 }),
      },
    ]);

    await db.insert(webhooks).values({ ...hook, name: 'failures', events: ['step.failed', 'step.budget_blocked'] });
    await recordStep(db, step(ids, { status: 'timeout', usage: NO_USAGE, costUsd: '0' }));
    await recordStep(db, step(ids, { status: 'budget_blocked', usage: NO_USAGE, costUsd: '0', governanceBlock: true }));
    expect((await stepEvents(ids.runId)).map((e) => e.type)).toEqual([
      'step.completed',
      'step.failed',
      'step.budget_blocked',
    ]);
  });
});

describe('reserveBudget', () => {
  const limits = { hardLimitUsd: 1, hardLimitTokens: null, maxCostPerHourUsd: null };

  const heldOn = async (runId: string) => {
    const [held] = await db
      .execute(
        sql`SELECT coalesce(sum(amount_usd), 0)::text AS usd FROM budget_reservations WHERE run_id = ${runId}::uuid`,
      )
      .then((r) => (r as unknown as { rows: { usd: string }[] }).rows);
    const [run] = await db.select().from(runs).where(eq(runs.id, runId));
    return { holds: held!.usd, runReservedUsd: run!.reservedUsd };
  };
  const fits = (headroom: { usd: string | null }) =>
    Number(headroom.usd) >= 0.03 ? { amountUsd: '0.03', tokens: 0 } : null;

  it('never lets 50 concurrent holds exceed the hard limit (locked path)', async () => {
    const ids = await seedRun(db);
    const attempts = await Promise.all(
      Array.from({ length: 50 }, () => reserveBudget(db, { ...ids, limits, now, ttlMs: 60_000 }, fits)),
    );
    expect(attempts.filter((a) => a.reserved)).toHaveLength(33);
    expect(await heldOn(ids.runId)).toEqual({ holds: '0.9900000000', runReservedUsd: '0.9900000000' });
  });

  it('never lets 50 concurrent one-statement holds sized from the same stale read exceed the hard limit', async () => {
    const ids = await seedRun(db);
    const [stale] = await db.select().from(runs).where(eq(runs.id, ids.runId));
    const attempts = await Promise.all(
      Array.from({ length: 50 }, () => reserveBudget(db, { ...ids, limits, now, ttlMs: 60_000, seen: stale! }, fits)),
    );
    expect(attempts.filter((a) => a.reserved)).toHaveLength(33);
    expect(await heldOn(ids.runId)).toEqual({ holds: '0.9900000000', runReservedUsd: '0.9900000000' });
  });

  it('falls back to the locked path when the stale read no longer fits, and sizes from the fresh headroom', async () => {
    const ids = await seedRun(db);
    const [stale] = await db.select().from(runs).where(eq(runs.id, ids.runId));
    await reserveBudget(db, { ...ids, limits, now, ttlMs: 60_000 }, () => ({ amountUsd: '0.9', tokens: 0 }));
    const seenHeadrooms: (string | null)[] = [];
    const capped = await reserveBudget(db, { ...ids, limits, now, ttlMs: 60_000, seen: stale! }, (headroom) => {
      seenHeadrooms.push(headroom.usd);
      return { amountUsd: headroom.usd === '1.0000000000' ? '0.5' : '0.1', tokens: 0 };
    });
    expect(seenHeadrooms).toEqual(['1.0000000000', '0.1000000000']);
    expect(capped).toMatchObject({ reserved: true, hold: { amountUsd: '0.1' } });
    expect(await heldOn(ids.runId)).toEqual({ holds: '1.0000000000', runReservedUsd: '1.0000000000' });
  });

  it('counts settled spend and releases the hold when the step is recorded', async () => {
    const ids = await seedRun(db);
    const hold = await reserveBudget(db, { ...ids, limits, now, ttlMs: 60_000 }, () => ({
      amountUsd: '0.5',
      tokens: 0,
    }));
    expect(hold).toMatchObject({ reserved: true, headroom: { usd: '1.0000000000' } });
    if (!hold.reserved) throw new Error('expected a hold');
    await recordStep(db, step(ids, { costUsd: '0.2', reservationId: hold.reservationId }));
    expect(await heldOn(ids.runId)).toEqual({ holds: '0', runReservedUsd: '0.0000000000' });
    const next = await reserveBudget(db, { ...ids, limits, now, ttlMs: 60_000 }, () => null);
    expect(next.headroom.usd).toBe('0.8000000000');
  });

  it('caps an agent per hour across runs, counting its spend of the last hour by the minute', async () => {
    const ids = await seedRun(db);
    const hourly = { hardLimitUsd: null, hardLimitTokens: null, maxCostPerHourUsd: 0.5 };
    await recordStep(db, step(ids, { costUsd: '0.45' }));
    const headroomAt = async (msLater: number) =>
      (
        await reserveBudget(
          db,
          { ...ids, limits: hourly, now: new Date(now.getTime() + msLater), ttlMs: 60_000 },
          () => null,
        )
      ).headroom;
    expect(await headroomAt(0)).toEqual({ usd: null, tokens: null, hourlyUsd: '0.0500000000' });
    // The minute the hour starts in counts whole: the cap errs on the side of refusing.
    expect((await headroomAt(3_600_001)).hourlyUsd).toBe('0.0500000000');
    expect((await headroomAt(3_660_000)).hourlyUsd).toBe('0.5000000000');
  });

  it("never lets concurrent holds on the agent's runs together pass its hourly cap", async () => {
    const ids = await seedRun(db);
    // Eight runs of one agent: the cap spans them, so no run row serializes their holds.
    const others = await db
      .insert(runs)
      .values(
        Array.from({ length: 7 }, () => ({
          orgId: ids.orgId,
          agentId: ids.agentId,
          policyId: ids.policyId,
          creationMethod: 'explicit' as const,
        })),
      )
      .returning({ id: runs.id });
    const runIds = [ids.runId, ...others.map((r) => r.id)];
    const hourly = { hardLimitUsd: null, hardLimitTokens: null, maxCostPerHourUsd: 1 };
    await recordStep(db, step(ids, { costUsd: '0.25' }));
    const results = await Promise.all(
      runIds.map((runId) =>
        reserveBudget(db, { ...ids, runId, limits: hourly, now, ttlMs: 60_000 }, (headroom) =>
          Number(headroom.hourlyUsd) >= 0.2 ? { amountUsd: '0.2', tokens: 1 } : null,
        ),
      ),
    );
    // 0.25 spent leaves room for three holds of 0.2, whatever the interleaving.
    expect(results.filter((r) => r.reserved)).toHaveLength(3);
    const [held] = await db
      .execute(
        sql`SELECT coalesce(sum(amount_usd), 0)::text AS usd FROM budget_reservations WHERE agent_id = ${ids.agentId}::uuid`,
      )
      .then((r) => (r as unknown as { rows: { usd: string }[] }).rows);
    expect(held!.usd).toBe('0.6000000000');
  });

  it('keeps counting a hold that outlived its ttl until the sweep gives it back to the run', async () => {
    const ids = await seedRun(db);
    await reserveBudget(db, { ...ids, limits, now, ttlMs: 1_000 }, () => ({ amountUsd: '0.9', tokens: 5 }));
    const later = new Date(now.getTime() + 2_000);
    expect((await reserveBudget(db, { ...ids, limits, now: later, ttlMs: 1_000 }, () => null)).headroom.usd).toBe(
      '0.1000000000',
    );
    expect(await sweepExpiredReservations(db, later)).toBeGreaterThanOrEqual(1);
    expect(await heldOn(ids.runId)).toEqual({ holds: '0', runReservedUsd: '0.0000000000' });
    const [run] = await db.select().from(runs).where(eq(runs.id, ids.runId));
    expect(run!.reservedTokens).toBe(0);
    expect((await reserveBudget(db, { ...ids, limits, now: later, ttlMs: 1_000 }, () => null)).headroom.usd).toBe(
      '1.0000000000',
    );
  });

  it('gives a released hold back to the run', async () => {
    const ids = await seedRun(db);
    const hold = await reserveBudget(db, { ...ids, limits, now, ttlMs: 60_000 }, () => ({
      amountUsd: '0.4',
      tokens: 7,
    }));
    if (!hold.reserved) throw new Error('expected a hold');
    await releaseReservation(db, hold.reservationId);
    expect(await heldOn(ids.runId)).toEqual({ holds: '0', runReservedUsd: '0.0000000000' });
  });
});
