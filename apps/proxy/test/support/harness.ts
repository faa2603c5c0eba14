import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import type { CreateAgentInput, PatchAgentInput, UpdatePolicyInput } from '@rungate/contracts';
import { createDatabase, type Database } from '@rungate/db';
import { createTestDatabase } from '@rungate/db/testing';
import {
  type AuthContext,
  type BreakerStore,
  type Clock,
  createPriceBook,
  createServices,
  MemoryRateLimiter,
  type PolicyView,
  type RateLimiter,
  type Services,
} from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import { Agent } from 'undici';
import { buildProxyApp } from '../../src/app.ts';
import { type FakeProvider, startFakeProvider } from './fake-provider.ts';

export interface HarnessAgent {
  id: string;
  name: string;
  /** Plaintext `rg_sk_` key. */
  key: string;
}

/** An agent of a second org, for cross-tenant checks. */
export interface ForeignAgent extends HarnessAgent {
  orgId: string;
  ctx: AuthContext;
}

export interface ProxyHarness {
  /** The proxy on its own, listening on 127.0.0.1 with an ephemeral port. */
  app: FastifyInstance;
  /** `http://127.0.0.1:<port>` */
  baseUrl: string;
  services: Services;
  fake: FakeProvider;
  orgId: string;
  /** Service context acting as the bootstrap operator of `orgId`. */
  ctx: AuthContext;
  agent: HarnessAgent;
  /** The agent's policy as it is now (kept current by `updatePolicy`). */
  policy: PolicyView;
  /** Provider keys whose `base_url` points at the fake. */
  providerKeys: { openai: string; anthropic: string };
  /** Official OpenAI client through the proxy; the harness agent's key unless another is given. */
  openai(key?: string): OpenAI;
  /** Official Anthropic client through the proxy. */
  anthropic(key?: string): Anthropic;
  /** Another agent of the same org, bound to the same provider keys and (unless overridden) policy. */
  createAgent(overrides?: Partial<CreateAgentInput>): Promise<HarnessAgent>;
  /** An agent in a fresh org with its own policy, for 404-across-tenants checks. */
  createForeignAgent(): Promise<ForeignAgent>;
  /** Deep-merges into the harness policy; the proxy sees the change on its next call. */
  updatePolicy(patch: UpdatePolicyInput): Promise<PolicyView>;
  /** Patches an agent (the harness agent by default), e.g. `{ status: 'disabled' }`. */
  updateAgent(patch: PatchAgentInput, id?: string): Promise<void>;
  /** The test database's URL on PostgreSQL (null on PGlite, where one process owns the database). */
  databaseUrl: string | null;
  /**
   * A second proxy process, as far as state goes: its own services (caches, rate limiter) over
   * its own connection pool to the same PostgreSQL database. Needs `databaseUrl`; `via` is
   * another URL to reach that database by (a forwarder an outage test can cut).
   */
  startPeerProxy(options?: { via?: string }): Promise<PeerProxy>;
  close(): Promise<void>;
}

export interface PeerProxy {
  baseUrl: string;
  openai(key?: string): OpenAI;
  anthropic(key?: string): Anthropic;
  close(): Promise<void>;
}

export interface ProxyHarnessOptions {
  /** Settings of the harness agent's policy (name defaults to `harness-policy`). */
  policy?: UpdatePolicyInput;
  clock?: Clock;
  /** Circuit breaker store, shared with peer proxies (e.g. a `RedisBreakerStore`); in process by default. */
  breakers?: BreakerStore;
  /** Rate limiter (e.g. one shared through Redis); in process by default. */
  rateLimiter?: RateLimiter;
  /** Use the proxy's own pools (one per connect timeout) instead of one pinned dispatcher. */
  ownPools?: boolean;
}

/**
 * A proxy wired to a private database and a fake provider speaking both wire formats, with one
 * org, policy and agent ready to call through the official SDKs.
 */
export async function createProxyHarness(options: ProxyHarnessOptions = {}): Promise<ProxyHarness> {
  const database = await createTestDatabase();
  const clock = options.clock;
  const encryptionKey = randomBytes(32);
  const servicesOver = (db: Database) =>
    createServices({
      db,
      encryptionKey,
      rateLimiter: options.rateLimiter ?? new MemoryRateLimiter(),
      priceBook: createPriceBook(clock ? { clock } : {}),
      ...(clock ? { clock } : {}),
      ...(options.breakers ? { breakers: options.breakers } : {}),
    });
  const services = servicesOver(database.db);
  const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  const fake = await startFakeProvider();
  const app = await buildProxyApp({ services, ...(options.ownPools ? {} : { dispatcher }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const peers: PeerProxy[] = [];

  const { db } = services.deps;
  // Configuration written behind the api's back: tell the proxy's caches, as the api's hook does.
  const configChanged = () => services.deps.configGeneration.bump();

  const account = await services.accounts.insert(db, {
    name: 'Harness',
    slug: `harness-${randomBytes(4).toString('hex')}`,
  });
  const ctx: AuthContext = { orgId: account.id, actor: { kind: 'bootstrap' } };
  const policy = await services.policies.create(ctx, { name: 'harness-policy', ...options.policy });
  const openaiKey = await services.providerKeys.create(ctx, {
    provider: 'openai',
    name: 'fake-openai',
    api_key: 'sk-fake-openai',
    base_url: fake.openAIBaseUrl,
  });
  const anthropicKey = await services.providerKeys.create(ctx, {
    provider: 'anthropic',
    name: 'fake-anthropic',
    api_key: 'sk-ant-fake',
    base_url: fake.anthropicBaseUrl,
  });
  const providerKeys = { openai: openaiKey.id, anthropic: anthropicKey.id };

  async function createAgent(overrides: Partial<CreateAgentInput> = {}): Promise<HarnessAgent> {
    // The policy id never changes: updates deep-merge into the same row.
    const created = await services.agents.create(ctx, {
      name: 'agent',
      policy_id: policy.id,
      provider_keys: { ...providerKeys },
      ...overrides,
    });
    return { id: created.id, name: created.name, key: created.api_key };
  }

  const agent = await createAgent({ name: 'harness-agent' });
  const harness: ProxyHarness = {
    app,
    baseUrl,
    services,
    fake,
    orgId: account.id,
    ctx,
    agent,
    policy,
    providerKeys,
    openai: (key = harness.agent.key) => new OpenAI({ apiKey: key, baseURL: `${baseUrl}/v1`, maxRetries: 0 }),
    anthropic: (key = harness.agent.key) => new Anthropic({ apiKey: key, baseURL: baseUrl, maxRetries: 0 }),
    createAgent,
    async createForeignAgent() {
      const other = await services.accounts.insert(db, {
        name: 'Foreign',
        slug: `foreign-${randomBytes(4).toString('hex')}`,
      });
      const otherCtx: AuthContext = { orgId: other.id, actor: { kind: 'bootstrap' } };
      const otherPolicy = await services.policies.create(otherCtx, { name: 'foreign-policy' });
      const created = await services.agents.create(otherCtx, { name: 'foreign-agent', policy_id: otherPolicy.id });
      return { id: created.id, name: created.name, key: created.api_key, orgId: other.id, ctx: otherCtx };
    },
    async updatePolicy(patch) {
      harness.policy = await services.policies.update(ctx, harness.policy.id, patch);
      configChanged();
      return harness.policy;
    },
    async updateAgent(patch, id = harness.agent.id) {
      await services.agents.patch(ctx, id, patch);
      configChanged();
    },
    databaseUrl: database.url,
    async startPeerProxy({ via } = {}) {
      if (!database.url) throw new Error('A peer proxy needs a PostgreSQL test database (DATABASE_URL)');
      const handle = await createDatabase({ url: via ?? database.url });
      const peerDispatcher = new Agent({ keepAliveTimeout: 10_000 });
      const peerApp = await buildProxyApp({ services: servicesOver(handle.db), dispatcher: peerDispatcher });
      await peerApp.listen({ host: '127.0.0.1', port: 0 });
      const peerUrl = `http://127.0.0.1:${(peerApp.server.address() as AddressInfo).port}`;
      const peer: PeerProxy = {
        baseUrl: peerUrl,
        openai: (key = harness.agent.key) => new OpenAI({ apiKey: key, baseURL: `${peerUrl}/v1`, maxRetries: 0 }),
        anthropic: (key = harness.agent.key) => new Anthropic({ apiKey: key, baseURL: peerUrl, maxRetries: 0 }),
        async close() {
          peers.splice(peers.indexOf(peer), 1);
          await peerApp.close();
          await peerDispatcher.close();
          await handle.close();
        },
      };
      peers.push(peer);
      return peer;
    },
    async close() {
      for (const peer of [...peers]) await peer.close();
      await app.close();
      await dispatcher.close();
      await fake.close();
      await database.close();
    },
  };
  return harness;
}
