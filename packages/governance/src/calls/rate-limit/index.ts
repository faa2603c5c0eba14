export * from './limiter.ts';
export { MemoryRateLimiter } from './memory.ts';
export { RedisRateLimiter } from './redis.ts';
