/** Attempts per event delivery: the first try and five retries. */
export const DEFAULT_MAX_ATTEMPTS = 6;

/** Consecutive failed attempts after which an active webhook is marked `failing`. */
export const FAILING_THRESHOLD = 5;

const FIRST_RETRY_MS = 30_000;
const GROWTH = 4;
const MAX_DELAY_MS = 4 * 3_600_000;
/** ±20 %, so receivers recovering from an outage are not hit by every retry at once. */
const JITTER = 0.2;

/**
 * Wait before the retry that follows failed attempt `attempt` (1-based): 30 s, 2 min, 8 min,
 * 32 min, 2 h 8 min, each with jitter. `random` is in [0, 1); 0.5 gives the exact schedule.
 */
export function retryDelayMs(attempt: number, random: () => number): number {
  const base = Math.min(FIRST_RETRY_MS * GROWTH ** Math.max(0, attempt - 1), MAX_DELAY_MS);
  return Math.round(base * (1 + JITTER * (2 * random() - 1)));
}
