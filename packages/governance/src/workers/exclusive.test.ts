import { accounts, type Database, queryRows } from '@rungate/db';
import { eq, sql } from 'drizzle-orm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useTestDatabase } from '../../test/fixtures.ts';
import { drainWithTryLock, startPeriodic, withTryLock } from './exclusive.ts';

/** Lock contention needs two connections; PGlite has one, so that check runs on PostgreSQL only. */
const onPostgres = Boolean(process.env.DATABASE_URL);

describe('advisory try-locks', () => {
  let db: Database;
  useTestDatabase((opened) => {
    db = opened.db;
  });

  it('runs the work in one transaction: a failure rolls back what it wrote', async () => {
    const slug = 'lock-rollback';
    await expect(
      withTryLock(db, 'test:rollback', async (tx) => {
        await tx.insert(accounts).values({ name: 'Rollback', slug });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await db.select().from(accounts).where(eq(accounts.slug, slug))).toEqual([]);
    expect(await withTryLock(db, 'test:rollback', async () => 'free again')).toBe('free again');
  });

  it.runIf(onPostgres)('answers null while another connection holds the lock, and only for that name', async () => {
    const outcome = await withTryLock(db, 'test:held', async () => ({
      same: await withTryLock(db, 'test:held', async () => 'ran'),
      other: await withTryLock(db, 'test:other', async () => 'ran'),
    }));
    expect(outcome).toEqual({ same: null, other: 'ran' });
  });

  it('drains batch after batch, each in its own transaction, until one reports no more', async () => {
    const seen: string[] = [];
    const counts = [200, 200, 13];
    const total = await drainWithTryLock(db, 'test:drain', async (tx) => {
      const [row] = await queryRows<{ xid: string }>(tx, sql`SELECT txid_current()::text AS xid`);
      seen.push(row!.xid);
      const count = counts[seen.length - 1]!;
      return { count, more: seen.length < counts.length };
    });
    expect(total).toBe(413);
    expect(new Set(seen).size).toBe(3);
  });
});

describe('startPeriodic', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('never overlaps passes, reports failures with its name, and stop waits for the pass in flight', async () => {
    vi.useFakeTimers();
    const finishers: (() => void)[] = [];
    const errors: [unknown, string][] = [];
    let calls = 0;
    const stop = startPeriodic({
      name: 'test-job',
      intervalMs: 1_000,
      run: () => {
        calls += 1;
        if (calls === 2) return Promise.reject(new Error('pass failed'));
        return new Promise<void>((resolve) => finishers.push(resolve));
      },
      onError: (error, name) => errors.push([error, name]),
    });

    await vi.advanceTimersByTimeAsync(3_500);
    expect(calls).toBe(1);
    finishers[0]!();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(2);
    expect(errors).toEqual([[new Error('pass failed'), 'test-job']]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toBe(3);

    let stopped = false;
    const stopping = stop().then(() => {
      stopped = true;
    });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(stopped).toBe(false);
    expect(calls).toBe(3);
    finishers[1]!();
    await stopping;
    expect(stopped).toBe(true);
  });
});
