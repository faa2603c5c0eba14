import { randomBytes } from 'node:crypto';
import { createTestDatabase } from '@rungate/db/testing';
import { type AuthContext, createServices, ManualClock, type Services } from '@rungate/governance';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { type ApiApp, buildApp } from '../src/app.ts';

export const BOOTSTRAP_TOKEN = 'bootstrap-token-for-tests-0123456789';

export interface Tenant {
  orgId: string;
  slug: string;
  /** Plaintext admin tokens, one per scope. */
  tokens: { read: string; write: string; admin: string };
  /** Service-level context acting as the admin token. */
  ctx: AuthContext;
}

export interface Harness {
  app: ApiApp;
  services: Services;
  clock: ManualClock;
  /** Two tenants, so every test can check that one cannot see the other. */
  a: Tenant;
  b: Tenant;
  request(options: {
    method: InjectOptions['method'];
    url: string;
    token?: string | null;
    body?: unknown;
    headers?: Record<string, string>;
  }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

async function seedTenant(services: Services, slug: string): Promise<Tenant> {
  const account = await services.accounts.insert(services.deps.db, { name: slug.toUpperCase(), slug });
  const issue = async (scope: 'read' | 'write' | 'admin') =>
    (
      await services.adminTokens.issue(
        services.deps.db,
        account.id,
        { name: `${scope}-token`, scopes: [scope] },
        'test',
      )
    ).secret;
  const tokens = { read: await issue('read'), write: await issue('write'), admin: await issue('admin') };
  const [admin] = await services.adminTokens
    .list({ orgId: account.id, actor: { kind: 'bootstrap' } }, { status: 'active' })
    .then((all) => all.filter((t) => t.scopes.includes('admin')));
  return {
    orgId: account.id,
    slug,
    tokens,
    ctx: { orgId: account.id, actor: { kind: 'token', tokenId: admin!.id, scopes: ['admin'] } },
  };
}

export async function createHarness(): Promise<Harness> {
  const database = await createTestDatabase();
  const clock = new ManualClock(new Date());
  const services = createServices({
    db: database.db,
    encryptionKey: randomBytes(32),
    bootstrapToken: BOOTSTRAP_TOKEN,
    clock,
  });
  const app = await buildApp({ services, bodyLimit: 1024 * 1024 });
  const a = await seedTenant(services, 'acme');
  const b = await seedTenant(services, 'globex');
  return {
    app,
    services,
    clock,
    a,
    b,
    request({ method, url, token, body, headers }) {
      return app.inject({
        method,
        url,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        ...(body === undefined
          ? {}
          : typeof body === 'string'
            ? {
                payload: body,
                headers: {
                  'content-type': 'application/json',
                  ...(token ? { authorization: `Bearer ${token}` } : {}),
                  ...headers,
                },
              }
            : { payload: body as object }),
      });
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}
