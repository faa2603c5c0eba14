import { expect, it } from 'vitest';
import { ManualClock } from '../time/clock.ts';
import { ConfigGeneration, TtlCache } from './ttl-cache.ts';

it('serves from cache until the ttl passes or the configuration changes', async () => {
  const clock = new ManualClock();
  const generation = new ConfigGeneration();
  const cache = new TtlCache<string, number>({ ttlMs: 1000, clock, generation: () => generation.value });
  let loads = 0;
  const load = async () => ++loads;
  expect(await cache.get('k', load)).toBe(1);
  expect(await cache.get('k', load)).toBe(1);
  clock.advance(1001);
  expect(await cache.get('k', load)).toBe(2);
  generation.bump();
  expect(await cache.get('k', load)).toBe(3);
});
