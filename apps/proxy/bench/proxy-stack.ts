import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import {
  type AuthContext,
  createServices,
  MemoryRateLimiter,
  type RateLimiter,
  RedisBreakerStore,
  RedisRateLimiter,
} from '@rungate/governance';
import { Redis } from 'ioredis';
import { Agent } from 'undici';
import { buildProxyApp } from '../src/app.ts';
import { openBenchDatabase } from './database.ts';

export interface ProxyStack {
  url: string;
  /** Plaintext key of the seeded agent. */
  agentKey: string;
  /** Plaintext key of an agent whose chain starts at a provider that answers every call with 500. */
  failoverAgentKey: string;
  /** Plaintext key of an agent whose policy also caps its spend per hour. */
  hourlyAgentKey: string;
  /** Database and rate limiter, for the report. */
  description: string;
  close(): Promise<void>;
}

/** Limits far above what the bench can send, so every check runs and none refuses. */
const BENCH_POLICY = {
  name: 'bench-policy',
  budget: { hard_limit_usd: 1_000_000 },
  rate_limits: { max_requests_per_minute: 100_000_000, max_tokens_per_minute: 1_000_000_000 },
  // The check itself stays on the hot path (it reads the run row already loaded); disabled only
  // because one run per connection takes thousands of steps.
  runaway_prevention: { enabled: false },
};

/**
 * An hourly cap spans the agent's runs, so its holds take the locked path: a transaction that
 * measures the agent's live holds and its spend of the last hour under a lock on the agent.
 */
const HOURLY_POLICY = {
  ...BENCH_POLICY,
  name: 'bench-hourly-policy',
  budget: { ...BENCH_POLICY.budget, max_cost_per_hour_usd: 1_000_000 },
};

/**
 * Every call fails over: the first provider's 500 is not retried on it (one attempt per
 * provider) and the second answers. The breaker stays closed so each call pays the failed
 * attempt, the worst case; an open breaker would skip the dead provider instead.
 */
const FAILOVER_POLICY = {
  ...BENCH_POLICY,
  name: 'bench-failover-policy',
  routing: {
    default_chain: ['groq', 'openai'],
    retry_on: [500],
    max_retries: 1,
    circuit_breaker: { failure_threshold: 0 },
  },
};

/**
 * The proxy as it runs in production (production database pool, keep-alive upstream pool,
 * Redis limiter and breakers when `REDIS_URL` is set), seeded with one org, a budgeted and
 * rate-limited policy, an OpenAI key pointing at the fake provider, and an agent; plus a
 * second agent whose chain starts at a `groq` key on the failing fake, and a third whose policy
 * adds an hourly cap.
 */
export async function startProxyStack(fakeUrl: string, failingUrl: string): Promise<ProxyStack> {
  const database = await openBenchDatabase();
  const redisUrl = process.env.REDIS_URL;
  const redis = redisUrl ? new Redis(redisUrl, { maxRetriesPerRequest: 1 }) : null;
  const prefix = `rungate:bench:${process.pid}:${Date.now()}`;
  const rateLimiter: RateLimiter = redis ? new RedisRateLimiter(redis, prefix) : new MemoryRateLimiter();
  // As in production, circuit state is shared through Redis when it is there.
  const services = createServices({
    db: database.handle.db,
    encryptionKey: randomBytes(32),
    rateLimiter,
    ...(redis ? { breakers: new RedisBreakerStore(redis, `${prefix}:breaker`) } : {}),
  });
  const dispatcher = new Agent({ connections: 256, keepAliveTimeout: 30_000 });
  const app = await buildProxyApp({ services, dispatcher });
  await app.listen({ host: '127.0.0.1', port: 0 });

  const account = await services.accounts.insert(services.deps.db, {
    name: 'Bench',
    slug: `bench-${randomBytes(4).toString('hex')}`,
  });
  const ctx: AuthContext = { orgId: account.id, actor: { kind: 'bootstrap' } };
  const policy = await services.policies.create(ctx, BENCH_POLICY);
  const key = await services.providerKeys.create(ctx, {
    provider: 'openai',
    name: 'fake-openai',
    api_key: 'sk-fake-openai',
    base_url: `${fakeUrl}/v1`,
  });
  const agent = await services.agents.create(ctx, {
    name: 'bench-agent',
    policy_id: policy.id,
    provider_keys: { openai: key.id },
  });
  const failoverPolicy = await services.policies.create(ctx, FAILOVER_POLICY);
  const failing = await services.providerKeys.create(ctx, {
    provider: 'groq',
    name: 'failing-groq',
    api_key: 'sk-failing',
    base_url: `${failingUrl}/v1`,
  });
  const failoverAgent = await services.agents.create(ctx, {
    name: 'bench-failover-agent',
    policy_id: failoverPolicy.id,
    provider_keys: { groq: failing.id, openai: key.id },
  });

  const hourlyPolicy = await services.policies.create(ctx, HOURLY_POLICY);
  const hourlyAgent = await services.agents.create(ctx, {
    name: 'bench-hourly-agent',
    policy_id: hourlyPolicy.id,
    provider_keys: { openai: key.id },
  });

  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    agentKey: agent.api_key,
    failoverAgentKey: failoverAgent.api_key,
    hourlyAgentKey: hourlyAgent.api_key,
    description: `${database.label}, ${redis ? `Redis rate limiter and circuit breakers (${redisUrl})` : 'in-process rate limiter and circuit breakers'}`,
    async close() {
      await app.close();
      await dispatcher.close();
      await redis?.quit();
      await database.close();
    },
  };
}
