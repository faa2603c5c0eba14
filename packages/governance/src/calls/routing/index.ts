export { type ChainSource, type RoutingSettings, type ResolvedChain, resolveChain } from './chain.ts';
export * from './keys.ts';
export * from './latency.ts';
export { type PreferenceDeps, orderByPreference } from './preference.ts';
export * from './plan.ts';
export * from './retry.ts';
export * from './circuit-breaker.ts';
export { MemoryBreakerStore } from './breaker-memory.ts';
export { RedisBreakerStore } from './breaker-redis.ts';
