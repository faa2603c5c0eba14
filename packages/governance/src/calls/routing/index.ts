export { MemoryBreakerStore } from './breaker-memory.ts';
export { RedisBreakerStore } from './breaker-redis.ts';
export { type ChainSource, type ResolvedChain, type RoutingSettings, resolveChain } from './chain.ts';
export * from './circuit-breaker.ts';
export * from './keys.ts';
export * from './latency.ts';
export * from './plan.ts';
export { orderByPreference, type PreferenceDeps } from './preference.ts';
export * from './retry.ts';
