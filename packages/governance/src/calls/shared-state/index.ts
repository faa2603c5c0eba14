export { GuardedBreakerStore } from './breaker-store.ts';
export { type RedisFailureMode, SharedStateGuard, type SharedStateHealth } from './guard.ts';
export { REDIS_CLIENT_OPTIONS, type SharedState, sharedStateOverRedis } from './over-redis.ts';
export { GuardedRateLimiter } from './rate-limiter.ts';
