import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { broadcastConfigChanges } from './config-broadcast.ts';
import { ConfigGeneration } from './ttl-cache.ts';

const redisUrl = process.env.REDIS_URL;
const databaseUrl = process.env.DATABASE_URL;

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > 5_000) throw new Error('no announcement arrived');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Ids of the connections listening for announcements now, and a way to cut one. */
interface Listeners {
  ids(): Promise<string[]>;
  cut(id: string): Promise<void>;
}

async function withListeners<T>(
  urls: { redisUrl?: string; databaseUrl?: string },
  use: (listeners: Listeners) => Promise<T>,
): Promise<T> {
  if (urls.redisUrl) {
    const admin = new Redis(urls.redisUrl);
    try {
      return await use({
        ids: async () =>
          ((await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string)
            .split('\n')
            .flatMap((line) => line.match(/^id=(\d+)/)?.[1] ?? []),
        cut: async (id) => void (await admin.call('CLIENT', 'KILL', 'ID', id)),
      });
    } finally {
      admin.disconnect();
    }
  }
  const admin = new pg.Client({ connectionString: urls.databaseUrl });
  await admin.connect();
  try {
    return await use({
      ids: async () =>
        (
          await admin.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN "rungate_config_changed"'`,
          )
        ).rows.map((row) => String(row.pid)),
      cut: async (pid) => void (await admin.query('SELECT pg_terminate_backend($1)', [Number(pid)])),
    });
  } finally {
    await admin.end();
  }
}

const transports: [string, { redisUrl?: string; databaseUrl?: string } | null][] = [
  ['redis', redisUrl ? { redisUrl } : null],
  ['postgres', databaseUrl ? { databaseUrl } : null],
];

describe.each(transports)('config changes over %s', (_name, urls) => {
  it.runIf(urls)('bumps every other instance once per change and never echoes back to the sender', async () => {
    const [a, b, c] = [new ConfigGeneration(), new ConfigGeneration(), new ConfigGeneration()];
    for (const generation of [a, b, c])
      stops.push(
        await broadcastConfigChanges(generation, { ...urls!, onError: (error) => expect.fail(String(error)) }),
      );
    a.bump();
    await until(() => b.value === 1 && c.value === 1);
    b.bump();
    await until(() => a.value === 2 && c.value === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([a.value, b.value, c.value]).toEqual([2, 2, 2]);
  });

  it.runIf(urls)(
    'listens again after losing its connection, dropping its caches for what it may have missed',
    async () => {
      const [a, b] = [new ConfigGeneration(), new ConfigGeneration()];
      stops.push(await broadcastConfigChanges(a, { ...urls!, onError: (error) => expect.fail(String(error)) }));
      await withListeners(urls!, async (listeners) => {
        const before = new Set(await listeners.ids());
        stops.push(await broadcastConfigChanges(b, { ...urls!, onError: () => undefined }));
        const [mine] = (await listeners.ids()).filter((id) => !before.has(id));
        await listeners.cut(mine!);
      });
      await until(() => b.value === 1);
      a.bump();
      await until(() => b.value === 2);
    },
  );
});

it('does nothing for a single process without Redis or PostgreSQL', async () => {
  const generation = new ConfigGeneration();
  const stop = await broadcastConfigChanges(generation, { onError: () => undefined });
  generation.bump();
  expect(generation.value).toBe(1);
  await stop();
});
