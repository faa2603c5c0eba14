import type { Redis } from 'ioredis';
import { MemoryRateLimiter } from '../rate-limit/memory.ts';
import { RedisRateLimiter } from '../rate-limit/redis.ts';
import { MemoryBreakerStore } from '../routing/breaker-memory.ts';
import { RedisBreakerStore } from '../routing/breaker-redis.ts';
import { GuardedBreakerStore } from './breaker-store.ts';
import { type RedisFailureMode, SharedStateGuard, type SharedStateHealth } from './guard.ts';
import { GuardedRateLimiter } from './rate-limiter.ts';

/**
 * How a process's Redis client must behave for calls to answer within a second while Redis is
 * down: a command fails at once instead of queueing for the reconnection, and one that gets no
 * answer (an unreachable host) gives up after half a second.
 */
export const REDIS_CLIENT_OPTIONS = {
  enableOfflineQueue: false,
  commandTimeout: 500,
  maxRetriesPerRequest: 1,
} as const;

export interface SharedState {
  rateLimiter: GuardedRateLimiter;
  breakers: GuardedBreakerStore;
  /** `degraded` from a failed Redis command until one succeeds again. */
  health(): SharedStateHealth;
}

/**
 * Rate limits and circuit breakers shared through Redis, guarded for Redis outages; `warn`
 * hears when Redis goes away and when it is back.
 */
export function sharedStateOverRedis(
  redis: Redis,
  { mode, warn }: { mode: RedisFailureMode; warn: (error: unknown, message: string) => void },
): SharedState {
  const outage =
    mode === 'open'
      ? 'rate limits and circuit breakers run per process until it is back'
      : 'calls are refused with 503 until it is back';
  const guard = new SharedStateGuard({
    mode,
    onChange: (health, error) =>
      warn(
        error,
        health === 'degraded'
          ? `redis unreachable: ${outage}`
          : 'redis reachable again: limits and breakers are shared',
      ),
  });
  redis.on('ready', () => guard.reconnected());
  return {
    rateLimiter: new GuardedRateLimiter(new RedisRateLimiter(redis), new MemoryRateLimiter(), guard),
    breakers: new GuardedBreakerStore(new RedisBreakerStore(redis), new MemoryBreakerStore(), guard),
    health: () => guard.health,
  };
}
