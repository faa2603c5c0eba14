import { randomBytes } from 'node:crypto';
import { members, sessions } from '@rungate/db';
import { createTestDatabase } from '@rungate/db/testing';
import { createServices, sha256Hex } from '@rungate/governance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

async function signIn(role: 'owner' | 'admin' | 'member' | 'viewer', options: { expired?: boolean } = {}) {
  const db = h.services.deps.db;
  const [member] = await db
    .insert(members)
    .values({ orgId: h.a.orgId, email: `${role}-${randomBytes(3).toString('hex')}@acme.test`, displayName: role, role })
    .returning();
  const cookie = randomBytes(24).toString('hex');
  const expiresAt = new Date(h.clock.now().getTime() + (options.expired ? -1 : 3_600_000));
  await db.insert(sessions).values({
    accountId: h.a.orgId,
    memberId: member!.id,
    email: member!.email,
    tokenHash: sha256Hex(cookie),
    expiresAt,
  });
  return { member: member!, cookie: `rungate_session=${cookie}` };
}

describe('session cookie auth', () => {
  it('signs a member in by cookie, with scopes from the role', async () => {
    const viewer = await signIn('viewer');
    const read = await h.request({ method: 'GET', url: '/api/account', headers: { cookie: viewer.cookie } });
    expect(read.statusCode).toBe(200);
    expect(read.json().data.id).toBe(h.a.orgId);
    const write = await h.request({
      method: 'PUT',
      url: '/api/account',
      body: { name: 'x' },
      headers: { cookie: viewer.cookie },
    });
    expect(write.statusCode).toBe(403);

    const member = await signIn('member');
    expect(
      (
        await h.request({
          method: 'PUT',
          url: '/api/account',
          body: { name: 'Acme' },
          headers: { cookie: member.cookie },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (await h.request({ method: 'GET', url: '/api/admin-tokens', headers: { cookie: member.cookie } })).statusCode,
    ).toBe(403);
    const owner = await signIn('owner');
    expect(
      (await h.request({ method: 'GET', url: '/api/admin-tokens', headers: { cookie: owner.cookie } })).statusCode,
    ).toBe(200);
  });

  it('records the member as the author of what it creates', async () => {
    const owner = await signIn('owner');
    const res = await h.request({
      method: 'POST',
      url: '/api/policies',
      body: { name: 'by-member' },
      headers: { cookie: owner.cookie },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().data).toMatchObject({ created_by_token_id: null, member_id: owner.member.id });
  });

  it('refuses expired sessions and unknown cookies with the flat 401', async () => {
    const expired = await signIn('owner', { expired: true });
    for (const cookie of [expired.cookie, 'rungate_session=nope']) {
      const res = await h.request({ method: 'GET', url: '/api/account', headers: { cookie } });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: 'Authentication required' });
    }
  });
});

describe('health', () => {
  it('reports Redis as degraded while shared state is unreachable, and says nothing of Redis without it', async () => {
    const database = await createTestDatabase();
    let redis: 'connected' | 'degraded' = 'degraded';
    const withRedis = await buildApp({
      services: createServices({ db: database.db, encryptionKey: randomBytes(32), redisHealth: () => redis }),
    });
    const without = await buildApp({ services: createServices({ db: database.db, encryptionKey: randomBytes(32) }) });
    const degraded = await withRedis.inject({ method: 'GET', url: '/health' });
    expect(degraded.statusCode).toBe(200);
    expect(degraded.json()).toMatchObject({ status: 'healthy', storage: 'connected', redis: 'degraded' });
    redis = 'connected';
    expect((await withRedis.inject({ method: 'GET', url: '/health' })).json()).toMatchObject({ redis: 'connected' });
    expect((await without.inject({ method: 'GET', url: '/health' })).json()).not.toHaveProperty('redis');
    await withRedis.close();
    await without.close();
    await database.close();
  });

  it('answers 503 with storage: error, not a crash, when the database is gone', async () => {
    const database = await createTestDatabase();
    const services = createServices({ db: database.db, encryptionKey: randomBytes(32) });
    const app = await buildApp({ services });
    await database.close();
    const res = await app.inject({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'unhealthy', storage: 'error', agents_count: 0, active_runs: 0 });
    await app.close();
  });
});
