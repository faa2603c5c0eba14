import { describe, expect, it } from 'vitest';
import { MemoryLatencyTracker } from './latency.ts';

describe('MemoryLatencyTracker', () => {
  it('reports the median over every key of a provider, null when unmeasured', () => {
    const t = new MemoryLatencyTracker();
    expect(t.p50('openai', 0)).toBeNull();
    t.record('openai', 'k1', 100, 0);
    t.record('openai', 'k2', 300, 0);
    expect(t.p50('openai', 0)).toBe(200);
    t.record('openai', 'k1', 250, 0);
    expect(t.p50('openai', 0)).toBe(250);
    expect(t.p50('groq', 0)).toBeNull();
  });

  it('keeps only the latest samples per key', () => {
    const t = new MemoryLatencyTracker({ samplesPerKey: 3 });
    for (const ms of [1000, 1000, 1000, 10, 20, 30]) t.record('openai', 'k', ms, 0);
    expect(t.p50('openai', 0)).toBe(20);
  });

  it('drops samples older than the window, even without new samples', () => {
    const t = new MemoryLatencyTracker({ maxAgeMs: 60_000 });
    t.record('openai', 'k', 500, 0);
    t.record('openai', 'k', 100, 50_000);
    expect(t.p50('openai', 50_000)).toBe(300);
    expect(t.p50('openai', 70_000)).toBe(100);
    expect(t.p50('openai', 120_000)).toBeNull();
  });
});
