import { accounts, adminTokens, agents, policies, policyVersions } from '@rungate/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const register = (body: unknown, ip = '10.0.0.1') =>
  h.app.inject({ method: 'POST', url: '/v1/register', payload: body as object, remoteAddress: ip });

describe('POST /v1/register', () => {
  it('creates account, admin token, default policy and default agent, showing secrets once', async () => {
    const res = await register({ name: 'Initech Labs' });
    expect(res.statusCode).toBe(201);
    const { data } = res.json();
    expect(data.account).toMatchObject({ slug: 'initech-labs', name: 'Initech Labs', tier: 'free' });
    expect(data.admin_token).toMatch(/^rg_adm_/);
    expect(data.agent).toMatchObject({ name: 'initech-labs' });
    expect(data.agent.api_key).toMatch(/^rg_sk_/);
    expect(data.policy.name).toBe('default');

    const db = h.services.deps.db;
    const [token] = await db.select().from(adminTokens).where(eq(adminTokens.accountId, data.account.id));
    expect(token).toMatchObject({ scopes: ['admin'], status: 'active' });
    expect(JSON.stringify(token)).not.toContain(data.admin_token);
    const [agent] = await db.select().from(agents).where(eq(agents.orgId, data.account.id));
    expect(agent!.policyId).toBe(data.policy.id);
    expect(await db.select().from(policyVersions).where(eq(policyVersions.policyId, data.policy.id))).toHaveLength(1);

    const account = await h.request({ method: 'GET', url: '/api/account', token: data.admin_token });
    expect(account.json().data.id).toBe(data.account.id);
    const agentList = await h.request({ method: 'GET', url: '/api/agents', token: data.admin_token });
    expect(agentList.json().data).toHaveLength(1);
  });

  it('suffixes a generated slug that is taken, and names the agent as asked', async () => {
    const res = await register({ name: 'Initech Labs', agent_name: 'worker' });
    expect(res.statusCode).toBe(201);
    expect(res.json().data.account.slug).toBe('initech-labs-2');
    expect(res.json().data.agent.name).toBe('worker');
  });

  it('validates name and slug with field details, writing nothing', async () => {
    const before = (await h.services.deps.db.select().from(accounts)).length;
    for (const body of [
      {},
      { name: '' },
      { name: 'x'.repeat(101) },
      { name: 'Ok', slug: 'Bad Slug' },
      { name: 'Ok', slug: 'api' },
      { name: 'Ok', slug: 'acme' },
    ]) {
      const res = await register(body, '10.0.0.2');
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.type).toBe('validation_error');
      expect(Object.keys(res.json().error.fields ?? {}).length).toBeGreaterThan(0);
    }
    expect(await h.services.deps.db.select().from(accounts)).toHaveLength(before);
    expect(await h.services.deps.db.select().from(policies).where(eq(policies.name, 'Ok'))).toHaveLength(0);
  });

  it('limits registrations to 10 per address per hour', async () => {
    for (let i = 0; i < 10; i++) expect((await register({ name: `Org ${i}` }, '10.0.0.9')).statusCode).toBe(201);
    const limited = await register({ name: 'One more' }, '10.0.0.9');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.type).toBe('rate_limited');
    expect((await register({ name: 'Elsewhere' }, '10.0.0.10')).statusCode).toBe(201);
    h.clock.advance(3_600_001);
    expect((await register({ name: 'Later' }, '10.0.0.9')).statusCode).toBe(201);
  });
});
