import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOOTSTRAP_TOKEN, createHarness, type Harness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

describe('account', () => {
  it("returns the caller's own account", async () => {
    const res = await h.request({ method: 'GET', url: '/api/account', token: h.a.tokens.read });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      id: h.a.orgId,
      slug: 'acme',
      tier: 'free',
      status: 'active',
      is_hosted: false,
    });
  });

  it('renames with write scope only, validating the body', async () => {
    const denied = await h.request({
      method: 'PUT',
      url: '/api/account',
      token: h.a.tokens.read,
      body: { name: 'Nope' },
    });
    expect(denied.statusCode).toBe(403);
    const bad = await h.request({ method: 'PUT', url: '/api/account', token: h.a.tokens.write, body: { name: '' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toHaveProperty('name');
    const ok = await h.request({
      method: 'PUT',
      url: '/api/account',
      token: h.a.tokens.write,
      body: { name: 'Acme Inc' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().data.name).toBe('Acme Inc');
    const other = await h.request({ method: 'GET', url: '/api/account', token: h.b.tokens.read });
    expect(other.json().data.name).toBe('GLOBEX');
  });

  it('answers malformed JSON with 400, never 500', async () => {
    const res = await h.request({ method: 'PUT', url: '/api/account', token: h.a.tokens.write, body: '{"name": ' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.type).toBe('validation_error');
  });

  it('answers an oversize body with 413', async () => {
    const res = await h.request({
      method: 'PUT',
      url: '/api/account',
      token: h.a.tokens.write,
      body: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.message).toMatch(/too large/);
  });

  it('lets the bootstrap token act for a named account, and 403s it without one', async () => {
    const unscoped = await h.request({ method: 'GET', url: '/api/account', token: BOOTSTRAP_TOKEN });
    expect(unscoped.statusCode).toBe(403);
    expect(unscoped.json()).toMatchObject({ error: { type: 'forbidden' } });
    const scoped = await h.request({
      method: 'GET',
      url: '/api/account',
      token: BOOTSTRAP_TOKEN,
      headers: { 'x-rungate-account-id': h.b.orgId },
    });
    expect(scoped.statusCode).toBe(200);
    expect(scoped.json().data.id).toBe(h.b.orgId);
  });
});

describe('health and the OpenAPI document', () => {
  it('reports health as a bare object with counts', async () => {
    const res = await h.request({ method: 'GET', url: '/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'healthy',
      version: '0.1.0',
      storage: 'connected',
      agents_count: 0,
      active_runs: 0,
    });
  });

  it('serves the OpenAPI document without auth', async () => {
    const res = await h.request({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().openapi).toMatch(/^3\.1/);
    expect(res.json().paths).toHaveProperty('/api/agents');
  });

  it('answers unknown routes with the spec error shape', async () => {
    const res = await h.request({ method: 'GET', url: '/api/nothing-here', token: h.a.tokens.read });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ error: { type: 'not_found' } });
  });
});
