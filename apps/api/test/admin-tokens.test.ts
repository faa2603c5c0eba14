import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe('admin tokens', () => {
  it('creates a token shown once, stores only its prefix, and the token works', async () => {
    const res = await h.request({
      method: 'POST',
      url: '/api/admin-tokens',
      token: h.a.tokens.admin,
      body: { name: 'ci', scopes: ['read'], expires_in: '30d' },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body.token).toMatch(/^rg_adm_[A-Za-z0-9]{40}$/);
    expect(body.data).toMatchObject({
      name: 'ci',
      scopes: ['read'],
      status: 'active',
      token_prefix: body.token.slice(0, 11),
      account_id: h.a.orgId,
    });
    expect(body.data).not.toHaveProperty('token_hash');
    expect(new Date(body.data.expires_at).getTime() - h.clock.now().getTime()).toBe(30 * 86_400_000);

    const listed = await h.request({
      method: 'GET',
      url: `/api/admin-tokens/${body.data.id}`,
      token: h.a.tokens.admin,
    });
    expect(listed.json().data).not.toHaveProperty('token');
    const viaNew = await h.request({ method: 'GET', url: '/api/account', token: body.token });
    expect(viaNew.statusCode).toBe(200);
    const seen = await h.request({ method: 'GET', url: `/api/admin-tokens/${body.data.id}`, token: h.a.tokens.admin });
    expect(seen.json().data.last_used_at).not.toBeNull();
  });

  it('rejects a duplicate name with 409 and bad input with 400 field details', async () => {
    const dup = await h.request({
      method: 'POST',
      url: '/api/admin-tokens',
      token: h.a.tokens.admin,
      body: { name: 'read-token', scopes: ['read'] },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ error: { type: 'conflict' } });
    const bad = await h.request({
      method: 'POST',
      url: '/api/admin-tokens',
      token: h.a.tokens.admin,
      body: { name: 'x', scopes: [], expires_in: 'soon' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.type).toBe('validation_error');
    expect(Object.keys(bad.json().error.fields)).toEqual(expect.arrayContaining(['scopes', 'expires_in']));
  });

  it('needs the admin scope, even to list', async () => {
    for (const token of [h.a.tokens.read, h.a.tokens.write]) {
      const res = await h.request({ method: 'GET', url: '/api/admin-tokens', token });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: { type: 'forbidden' } });
    }
    const ok = await h.request({ method: 'GET', url: '/api/admin-tokens?status=active', token: h.a.tokens.admin });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().total).toBe(ok.json().data.length);
    expect(ok.json().data.every((t: { account_id: string }) => t.account_id === h.a.orgId)).toBe(true);
  });

  it('answers 401 in the flat shape without or with a wrong token', async () => {
    for (const token of [null, 'rg_adm_nope', 'something-else']) {
      const res = await h.request({ method: 'GET', url: '/api/admin-tokens', token });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: 'Authentication required' });
    }
  });

  it("hides another tenant's token (404) and revokes idempotently", async () => {
    const created = (
      await h.request({
        method: 'POST',
        url: '/api/admin-tokens',
        token: h.b.tokens.admin,
        body: { name: 'b-token', scopes: ['write'] },
      })
    ).json();
    const cross = await h.request({
      method: 'GET',
      url: `/api/admin-tokens/${created.data.id}`,
      token: h.a.tokens.admin,
    });
    expect(cross.statusCode).toBe(404);
    expect(cross.json()).toMatchObject({ error: { type: 'not_found' } });
    const crossRevoke = await h.request({
      method: 'POST',
      url: `/api/admin-tokens/${created.data.id}/revoke`,
      token: h.a.tokens.admin,
    });
    expect(crossRevoke.statusCode).toBe(404);

    for (let i = 0; i < 2; i++) {
      const res = await h.request({
        method: 'POST',
        url: `/api/admin-tokens/${created.data.id}/revoke`,
        token: h.b.tokens.admin,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().data.message).toBeTypeOf('string');
    }
    const after = await h.request({ method: 'GET', url: '/api/account', token: created.token });
    expect(after.statusCode).toBe(401);
  });

  it('stops honouring an expired token', async () => {
    const created = (
      await h.request({
        method: 'POST',
        url: '/api/admin-tokens',
        token: h.a.tokens.admin,
        body: { name: 'short', scopes: ['read'], expires_in: '1h' },
      })
    ).json();
    expect((await h.request({ method: 'GET', url: '/api/account', token: created.token })).statusCode).toBe(200);
    h.clock.advance(3_600_001);
    expect((await h.request({ method: 'GET', url: '/api/account', token: created.token })).statusCode).toBe(401);
  });

  it('400s a non-uuid id', async () => {
    const res = await h.request({ method: 'GET', url: '/api/admin-tokens/not-a-uuid', token: h.a.tokens.admin });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.type).toBe('validation_error');
  });
});
