import { describe, expect, it } from 'vitest';
import { MemoryRoundRobinCounters, orderKeys, type Random } from './keys.ts';

/** mulberry32: a small seeded generator, so the draws below are the same on every run. */
function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const deps = (random: Random = Math.random) => ({ counters: new MemoryRoundRobinCounters(), random });
const weighted = [
  { key_id: 'a', weight: 10 },
  { key_id: 'b', weight: 30 },
  { key_id: 'c', weight: 60 },
];

describe('orderKeys', () => {
  it('returns a single key id under every strategy', () => {
    for (const strategy of ['failover', 'round_robin', 'weighted'] as const)
      expect(orderKeys('k1', strategy, 'x', deps())).toEqual(['k1']);
    expect(orderKeys(undefined, 'failover', 'x', deps())).toEqual([]);
  });

  it('keeps the listed order for failover, whatever the weights', () => {
    expect(orderKeys(weighted, 'failover', 'x', deps())).toEqual(['a', 'b', 'c']);
  });

  it('rotates the start per counter name for round robin', () => {
    const d = deps();
    const starts = Array.from({ length: 6 }, () => orderKeys(weighted, 'round_robin', 'agent:openai', d)[0]);
    expect(starts).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
    expect(orderKeys(weighted, 'round_robin', 'agent:groq', d)).toEqual(['a', 'b', 'c']);
  });

  it('picks the first key in proportion to its weight (10,000 seeded draws, within 5 sigma)', () => {
    const d = deps(seeded(42));
    const n = 10_000;
    const firsts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < n; i++) {
      const order = orderKeys(weighted, 'weighted', 'x', d);
      expect(order.toSorted()).toEqual(['a', 'b', 'c']);
      firsts[order[0]!]! += 1;
    }
    for (const { key_id, weight } of weighted) {
      const p = weight / 100;
      const sigma = Math.sqrt(n * p * (1 - p));
      expect(Math.abs(firsts[key_id]! - n * p), `${key_id}: ${firsts[key_id]}`).toBeLessThanOrEqual(5 * sigma);
    }
  });

  it('draws the failover order without replacement, by the remaining weights', () => {
    const d = deps(seeded(7));
    const n = 10_000;
    let bSecondAfterC = 0;
    let cFirst = 0;
    for (let i = 0; i < n; i++) {
      const [first, second] = orderKeys(weighted, 'weighted', 'x', d);
      if (first === 'c') {
        cFirst += 1;
        if (second === 'b') bSecondAfterC += 1;
      }
    }
    // After c is drawn, b holds 30 of the remaining 40.
    const p = 0.75;
    expect(Math.abs(bSecondAfterC - cFirst * p)).toBeLessThanOrEqual(5 * Math.sqrt(cFirst * p * (1 - p)));
  });

  it('never falls off the end when random() returns values just under 1', () => {
    expect(
      orderKeys(
        weighted,
        'weighted',
        'x',
        deps(() => 0.9999999999999999),
      ),
    ).toEqual(['c', 'b', 'a']);
  });
});

describe('MemoryRoundRobinCounters', () => {
  it('counts from 0 per name and forgets all names once full', () => {
    const counters = new MemoryRoundRobinCounters(2);
    expect([counters.next('a'), counters.next('a'), counters.next('b')]).toEqual([0, 1, 0]);
    expect(counters.next('c')).toBe(0);
    expect(counters.next('a')).toBe(0);
  });
});
