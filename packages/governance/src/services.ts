import type { Database } from '@rungate/db';
import { createAccountService } from './accounts/service.ts';
import { createAdminTokenService } from './admin-tokens/service.ts';
import { createAgentService } from './agents/service.ts';
import { createApprovalService } from './approvals/service.ts';
import { createAuthService } from './auth/service.ts';
import { type Clock, systemClock } from './common/clock.ts';
import { SecretBox } from './common/crypto.ts';
import type { ServiceDeps } from './deps.ts';
import { createHealthService } from './health/service.ts';
import { createPolicyService } from './policies/service.ts';
import { createProviderKeyService } from './provider-keys/service.ts';
import { createRegistrationService } from './registration/service.ts';
import { createRunService } from './runs/service.ts';

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
  const accounts = createAccountService(deps);
  const adminTokens = createAdminTokenService(deps);
  const agents = createAgentService(deps);
  return {
    deps,
    registration: createRegistrationService(deps, { accounts, adminTokens, agents }),
    auth: createAuthService(deps),
    accounts,
    adminTokens,
    agents,
    approvals: createApprovalService(deps),
    health: createHealthService(deps),
    policies: createPolicyService(deps),
    providerKeys: createProviderKeyService(deps),
    runs: createRunService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
