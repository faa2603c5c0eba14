import type { Database } from '@rungate/db';
import { createAuthService } from './auth/service.ts';
import { createPriceBook, type PriceBook } from './calls/pricing/price-book.ts';
import type { RateLimiter } from './calls/rate-limit/limiter.ts';
import { MemoryRateLimiter } from './calls/rate-limit/memory.ts';
import {
  type BreakerStore,
  type LatencyTracker,
  MemoryBreakerStore,
  MemoryLatencyTracker,
  MemoryRoundRobinCounters,
  type RoundRobinCounters,
} from './calls/routing/index.ts';
import { createCallService } from './calls/service.ts';
import type { SharedStateHealth } from './calls/shared-state/guard.ts';
import { ConfigGeneration } from './config-cache/ttl-cache.ts';
import type { ServiceDeps } from './deps.ts';
import { createAccountService } from './resources/accounts/service.ts';
import { createAdminTokenService } from './resources/admin-tokens/service.ts';
import { createAgentService } from './resources/agents/service.ts';
import { createAlertRuleService } from './resources/alert-rules/service.ts';
import { createApprovalService } from './resources/approvals/service.ts';
import { createHealthService } from './resources/health/service.ts';
import { createMemberService } from './resources/members/service.ts';
import { createPolicyService } from './resources/policies/service.ts';
import { createProviderHealthService } from './resources/provider-health/service.ts';
import { createProviderKeyService } from './resources/provider-keys/service.ts';
import { createRegistrationService } from './resources/registration/service.ts';
import { createAgentRunService } from './resources/runs/agent/service.ts';
import { createRunService } from './resources/runs/service.ts';
import { createWebhookService } from './resources/webhooks/service.ts';
import { SecretBox } from './secrets/crypto.ts';
import { type Clock, systemClock } from './time/clock.ts';
import { createRetentionService } from './workers/retention/service.ts';
import { WebhookEngineSlot } from './workers/webhook-engine/engine-slot.ts';

export interface CreateServicesOptions {
  db: Database;
  encryptionKey: Buffer;
  bootstrapToken?: string | undefined;
  clock?: Clock;
  /** Shared through Redis when several proxies run; in process otherwise. */
  rateLimiter?: RateLimiter;
  priceBook?: PriceBook;
  /** Circuit state per provider key; shared through Redis when several proxies run. */
  breakers?: BreakerStore;
  /** Refuse webhook receivers at loopback, private and link-local addresses. */
  blockPrivateWebhookAddresses?: boolean | undefined;
  /** Whether shared state (Redis) answers, for `/health`; absent when Redis is not configured. */
  redisHealth?: () => SharedStateHealth;
}

/** In-process routing state (the breaker store may be shared). */
export interface RoutingState {
  breakers: BreakerStore;
  latency: LatencyTracker;
  counters: RoundRobinCounters;
  priceBook: PriceBook;
}

/** Wires every resource service over one set of collaborators. */
export function createServices(options: CreateServicesOptions) {
  const deps: ServiceDeps = {
    db: options.db,
    clock: options.clock ?? systemClock,
    secretBox: new SecretBox(options.encryptionKey),
    configGeneration: new ConfigGeneration(),
    ...(options.bootstrapToken ? { bootstrapToken: options.bootstrapToken } : {}),
  };
  const routing: RoutingState = {
    breakers: options.breakers ?? new MemoryBreakerStore(),
    latency: new MemoryLatencyTracker(),
    counters: new MemoryRoundRobinCounters(),
    priceBook: options.priceBook ?? createPriceBook({ clock: deps.clock }),
  };
  const accounts = createAccountService(deps);
  const adminTokens = createAdminTokenService(deps);
  const agents = createAgentService(deps);
  /** Filled by `startWebhookEngine` when this process delivers webhooks. */
  const webhookEngine = new WebhookEngineSlot();
  return {
    deps,
    registration: createRegistrationService(deps, { accounts, adminTokens, agents }),
    auth: createAuthService(deps),
    calls: createCallService(deps, {
      rateLimiter: options.rateLimiter ?? new MemoryRateLimiter(),
      priceBook: routing.priceBook,
      counters: routing.counters,
      latency: routing.latency,
    }),
    routing,
    providerHealth: createProviderHealthService(deps, routing.breakers),
    accounts,
    adminTokens,
    agents,
    agentRuns: createAgentRunService(deps),
    alertRules: createAlertRuleService(deps),
    approvals: createApprovalService(deps),
    health: createHealthService(deps, options.redisHealth),
    members: createMemberService(deps),
    policies: createPolicyService(deps),
    providerKeys: createProviderKeyService(deps),
    runs: createRunService(deps),
    webhookEngine,
    webhooks: createWebhookService(deps, {
      engine: webhookEngine,
      blockPrivateAddresses: options.blockPrivateWebhookAddresses ?? false,
    }),
    retention: createRetentionService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
