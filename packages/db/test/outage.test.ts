import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, type DatabaseHandle, isConnectionError } from '../src/index.ts';
import { type CuttableProxy, createTestDatabase, startCuttableProxy, type TestDatabase } from '../src/testing.ts';

const onPostgres = Boolean(process.env.DATABASE_URL);

async function eventually(check: () => Promise<void>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await check();
      return Date.now() - started;
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

describe.runIf(onPostgres)('a pg pool whose server goes away', () => {
  let test: TestDatabase;
  let proxy: CuttableProxy;
  let handle: DatabaseHandle;
  afterEach(async () => {
    await handle?.close();
    await proxy?.close();
    await test?.close();
  });

  it('reports the lost connections, fails fast while the server is gone and recovers by itself', async () => {
    test = await createTestDatabase();
    proxy = await startCuttableProxy(test.url!);
    const errors: Error[] = [];
    handle = await createDatabase({ url: proxy.url, onError: (error) => errors.push(error) });
    await Promise.all([handle.ping(), handle.ping(), handle.ping()]);

    proxy.cut();
    await eventually(async () => expect(errors.length).toBeGreaterThan(0), 2_000);
    const started = Date.now();
    await expect(handle.ping()).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1_000);

    proxy.restore();
    expect(await eventually(() => handle.ping(), 5_000)).toBeLessThan(5_000);
  });
});

describe('isConnectionError', () => {
  const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

  it('tells an unreachable database from a statement it refused', () => {
    expect(isConnectionError(coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe(true);
    expect(isConnectionError(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isConnectionError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isConnectionError(coded('terminating connection due to administrator command', '57P01'))).toBe(true);
    expect(isConnectionError(coded('connection failure', '08006'))).toBe(true);
    expect(
      isConnectionError(new Error('Failed query: select 1', { cause: coded('read ECONNRESET', 'ECONNRESET') })),
    ).toBe(true);

    expect(isConnectionError(coded('duplicate key value violates unique constraint', '23505'))).toBe(false);
    expect(isConnectionError(coded('canceling statement due to statement timeout', '57014'))).toBe(false);
    expect(isConnectionError(new Error('Failed query', { cause: new Error('syntax error') }))).toBe(false);
    expect(isConnectionError('ECONNREFUSED')).toBe(false);
  });
});
