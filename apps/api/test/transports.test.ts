import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe('tRPC', () => {
  it('reads through the same auth as /api', async () => {
    const res = await h.request({ method: 'GET', url: '/trpc/account.get', token: h.a.tokens.read });
    expect(res.statusCode).toBe(200);
    expect(res.json().result.data).toMatchObject({ id: h.a.orgId, slug: 'acme' });
  });

  it('answers 401 without credentials and 403 for a missing scope', async () => {
    const anonymous = await h.request({ method: 'GET', url: '/trpc/account.get' });
    expect(anonymous.statusCode).toBe(401);
    const readOnly = await h.request({
      method: 'POST',
      url: '/trpc/adminTokens.create',
      token: h.a.tokens.write,
      body: { name: 'x', scopes: ['read'] },
    });
    expect(readOnly.statusCode).toBe(403);
  });

  it('maps service errors and zod errors to their codes with field details', async () => {
    const missing = await h.request({
      method: 'GET',
      url: `/trpc/adminTokens.get?input=${encodeURIComponent(JSON.stringify({ id: '00000000-0000-4000-8000-000000000000' }))}`,
      token: h.a.tokens.admin,
    });
    expect(missing.statusCode).toBe(404);
    const bad = await h.request({
      method: 'POST',
      url: '/trpc/account.update',
      token: h.a.tokens.write,
      body: { name: '' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.data.fields).toHaveProperty('name');
  });
});

describe('GraphQL', () => {
  const query = (token: string | null, q: string) =>
    h.request({ method: 'POST', url: '/graphql', token, body: { query: q } });

  it('answers a query with the caller’s data', async () => {
    const res = await query(h.b.tokens.read, '{ account { id slug } }');
    expect(res.statusCode).toBe(200);
    expect(res.json().data.account).toEqual({ id: h.b.orgId, slug: 'globex' });
  });

  it('answers 401 in the flat shape without a token', async () => {
    const res = await query(null, '{ account { id } }');
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'Authentication required' });
  });

  it('refuses queries past the depth limit', async () => {
    const deep = `{ account { ${'... on Account { '.repeat(1)}id } } }`;
    expect((await query(h.a.tokens.read, deep)).json().data.account.id).toBe(h.a.orgId);
    const tooDeep = `{ __schema { types { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } } }`;
    const res = await query(h.a.tokens.read, tooDeep);
    expect(res.json().errors[0].message).toMatch(/depth/);
  });
});
