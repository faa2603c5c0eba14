import type { Database } from '@rungate/db';
import { createAccountService } from './accounts/service.ts';
import { createAdminTokenService } from './admin-tokens/service.ts';
import { createAuthService } from './auth/service.ts';
import { type Clock, systemClock } from './common/clock.ts';
import { SecretBox } from './common/crypto.ts';
import type { ServiceDeps } from './deps.ts';
import { createHealthService } from './health/service.ts';

export interface CreateServicesOptions {
  db: Database;
  encryptionKey: Buffer;
  bootstrapToken?: string | undefined;
  clock?: Clock;
}

/** Wires every resource service over one set of collaborators. */
export function createServices(options: CreateServicesOptions) {
  const deps: ServiceDeps = {
    db: options.db,
    clock: options.clock ?? systemClock,
    secretBox: new SecretBox(options.encryptionKey),
    ...(options.bootstrapToken ? { bootstrapToken: options.bootstrapToken } : {}),
  };
  return {
    deps,
    auth: createAuthService(deps),
    accounts: createAccountService(deps),
    adminTokens: createAdminTokenService(deps),
    health: createHealthService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
