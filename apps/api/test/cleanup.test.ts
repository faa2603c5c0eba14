import { ledgerEntries, runs, steps } from '@rungate/db';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';
import { seedAgent, seedRun, seedStep } from './run-fixtures.ts';

let h: Harness;
let T: Date;
const daysAgo = (d: number) => new Date(T.getTime() - d * 86_400_000);

type RunRow = typeof runs.$inferSelect;
type Owner = Awaited<ReturnType<typeof seedAgent>>;
let ownerA: Owner;
let ownerB: Owner;

/** An ended (or running) run with `n` billed steps of 0.5 USD, its totals matching its ledger. */
async function runWithSteps(
  owner: Owner,
  n: number,
  at: Date,
  status: 'completed' | 'running' = 'completed',
): Promise<RunRow> {
  const db = h.services.deps.db;
  const run = await seedRun(db, owner, {
    status,
    startedAt: at,
    endedAt: status === 'running' ? null : at,
    lastActivityAt: at,
    stepCount: n,
    totalCostUsd: (0.5 * n).toFixed(10),
    inputTokens: 100 * n,
    totalTokens: 100 * n,
  });
  for (let i = 1; i <= n; i += 1) await seedStep(db, run, { stepNumber: i, inputTokens: 100, costUsd: '0.5' }, at);
  return run;
}

beforeAll(async () => {
  h = await createHarness();
  T = h.clock.now();
  ownerA = await seedAgent(h.services.deps.db, h.a.orgId, 'cleanup-a');
  ownerB = await seedAgent(h.services.deps.db, h.b.orgId, 'cleanup-b');
});
afterAll(() => h.close());

const preview = (query: string, token: string | null = h.a.tokens.read) =>
  h.request({ method: 'GET', url: `/api/analytics/cleanup-preview${query}`, token });
const cleanup = (body: unknown, token: string | null = h.a.tokens.admin) =>
  h.request({ method: 'POST', url: '/api/analytics/cleanup', token, body });
const remaining = async (ids: string[]) =>
  (await h.services.deps.db.select({ id: runs.id }).from(runs).where(inArray(runs.id, ids))).map((r) => r.id).sort();

describe('data retention over HTTP', () => {
  it('previews then deletes the same counts, for the caller’s org only, keeping running and recent runs', async () => {
    const old = await runWithSteps(ownerA, 3, daysAgo(40));
    const older = await runWithSteps(ownerA, 2, daysAgo(100));
    const week = await runWithSteps(ownerA, 1, daysAgo(8));
    const recent = await runWithSteps(ownerA, 2, daysAgo(1));
    const running = await runWithSteps(ownerA, 2, daysAgo(60), 'running');
    const otherOrg = await runWithSteps(ownerB, 4, daysAgo(90));

    const byDefault = await preview('');
    expect(byDefault.statusCode).toBe(200);
    expect(byDefault.json()).toEqual({ data: { runs: 2, steps: 5, ledgerEntries: 5 } });
    expect((await preview('?days=7')).json()).toEqual({ data: { runs: 3, steps: 6, ledgerEntries: 6 } });
    expect((await preview('', h.b.tokens.read)).json()).toEqual({ data: { runs: 1, steps: 4, ledgerEntries: 4 } });

    const res = await cleanup({ days: 30 });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: { runsDeleted: 2, stepsDeleted: 5, ledgerEntriesDeleted: 5 } });

    expect(await remaining([old.id, older.id, week.id, recent.id, running.id, otherOrg.id])).toEqual(
      [week.id, recent.id, running.id, otherOrg.id].sort(),
    );
    const db = h.services.deps.db;
    expect(
      await db
        .select()
        .from(steps)
        .where(inArray(steps.runId, [old.id, older.id])),
    ).toEqual([]);
    expect(
      await db
        .select()
        .from(ledgerEntries)
        .where(inArray(ledgerEntries.runId, [old.id, older.id])),
    ).toEqual([]);
    expect((await h.request({ method: 'GET', url: `/api/runs/${old.id}`, token: h.a.tokens.read })).statusCode).toBe(
      404,
    );
    const ledger = await h.request({ method: 'GET', url: `/api/runs/${running.id}/ledger`, token: h.a.tokens.read });
    expect(ledger.json().data).toHaveLength(2);

    expect((await preview('')).json()).toEqual({ data: { runs: 0, steps: 0, ledgerEntries: 0 } });
    expect((await preview('', h.b.tokens.read)).json()).toEqual({ data: { runs: 1, steps: 4, ledgerEntries: 4 } });
    expect((await cleanup({ days: 30 })).json()).toEqual({
      data: { runsDeleted: 0, stepsDeleted: 0, ledgerEntriesDeleted: 0 },
    });
  });

  it('answers zeros for a period reaching before any data', async () => {
    expect((await preview('?days=1000000')).json()).toEqual({ data: { runs: 0, steps: 0, ledgerEntries: 0 } });
    expect((await cleanup({ days: 9_007_199_254_740_991 })).json()).toEqual({
      data: { runsDeleted: 0, stepsDeleted: 0, ledgerEntriesDeleted: 0 },
    });
  });

  it('needs credentials, and the admin scope to delete', async () => {
    expect((await preview('', null)).statusCode).toBe(401);
    expect((await cleanup({ days: 30 }, null)).statusCode).toBe(401);
    for (const token of [h.a.tokens.read, h.a.tokens.write]) {
      const res = await cleanup({ days: 30 }, token);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: { type: 'forbidden' } });
    }
  });

  it('refuses a bad period with 400 and field details, deleting nothing', async () => {
    const old = await runWithSteps(ownerA, 1, daysAgo(50));
    for (const query of ['?days=0', '?days=-3', '?days=1.5', '?days=abc']) {
      const res = await preview(query);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.fields, query).toHaveProperty('days');
    }
    for (const body of [{}, { days: 0 }, { days: 2.5 }, { days: '30' }, { days: null }]) {
      const res = await cleanup(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.fields, JSON.stringify(body)).toHaveProperty('days');
    }
    expect(await remaining([old.id])).toEqual([old.id]);
  });
});

describe('data retention over tRPC', () => {
  it('previews with the read scope and deletes with the admin scope', async () => {
    const old = await runWithSteps(ownerB, 1, daysAgo(45));
    const input = (value: unknown) => encodeURIComponent(JSON.stringify(value));
    const counted = await h.request({
      method: 'GET',
      url: `/trpc/analytics.cleanupPreview?input=${input({ days: 30 })}`,
      token: h.b.tokens.read,
    });
    expect(counted.statusCode).toBe(200);
    expect(counted.json().result.data).toEqual({ runs: 2, steps: 5, ledgerEntries: 5 });

    const denied = await h.request({
      method: 'POST',
      url: '/trpc/analytics.cleanup',
      token: h.b.tokens.write,
      body: { days: 30 },
    });
    expect(denied.statusCode).toBe(403);
    const bad = await h.request({
      method: 'POST',
      url: '/trpc/analytics.cleanup',
      token: h.b.tokens.admin,
      body: { days: 0 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.data.fields).toHaveProperty('days');

    const done = await h.request({
      method: 'POST',
      url: '/trpc/analytics.cleanup',
      token: h.b.tokens.admin,
      body: { days: 30 },
    });
    expect(done.json().result.data).toEqual({ runsDeleted: 2, stepsDeleted: 5, ledgerEntriesDeleted: 5 });
    expect(await remaining([old.id])).toEqual([]);
  });
});
