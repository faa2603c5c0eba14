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

const transports: [string, { redisUrl?: string; databaseUrl?: string } | null][] = [
  ['redis', redisUrl ? { redisUrl } : null],
  ['postgres', databaseUrl ? { databaseUrl } : null],
];

describe.each(transports)('config changes over %s', (_name, urls) => {
  it.runIf(urls)('bumps every other instance once per change and never echoes back to the sender', async () => {
    const [a, b, c] = [new ConfigGeneration(), new ConfigGeneration(), new ConfigGeneration()];
    for (const generation of [a, b, c]) stops.push(await broadcastConfigChanges(generation, { ...urls!, onError: (error) => expect.fail(String(error)) }));
    a.bump();
    await until(() => b.value === 1 && c.value === 1);
    b.bump();
    await until(() => a.value === 2 && c.value === 2);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect([a.value, b.value, c.value]).toEqual([2, 2, 2]);
  });
});

it('does nothing for a single process without Redis or PostgreSQL', async () => {
  const generation = new ConfigGeneration();
  const stop = await broadcastConfigChanges(generation, { onError: () => undefined });
  generation.bump();
  expect(generation.value).toBe(1);
  await stop();
});
