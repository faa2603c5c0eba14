export * from './common/errors.ts';
export * from './common/crypto.ts';
export * from './common/clock.ts';
export * from './common/encryption-key.ts';
export * from './auth/context.ts';
export type { DashboardCredentials } from './auth/service.ts';
export type { ServiceDeps } from './deps.ts';
export * from './services.ts';
