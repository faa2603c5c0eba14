import { randomUUID } from 'node:crypto';
import { type AgentProviderKeys, agents, policies, providerKeys, runs } from '@rungate/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type Tenant } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

const SECRET = 'sk-live-0123456789abcdefWXYZ';
const MISSING = '00000000-0000-4000-8000-000000000000';

type Key = {
  id: string;
  name: string;
  provider: string;
  api_key: string | null;
  status: string;
  rotated_at: string | null;
  base_url: string | null;
};

async function createKey(tenant: Tenant, body: Record<string, unknown>): Promise<Key> {
  const res = await h.request({
    method: 'POST',
    url: '/api/provider-keys',
    token: tenant.tokens.write,
    body: { api_key: SECRET, provider: 'openai', ...body },
  });
  expect(res.statusCode).toBe(201);
  return res.json().data;
}

const row = async (id: string) =>
  (await h.services.deps.db.select().from(providerKeys).where(eq(providerKeys.id, id)))[0]!;

/** Agents are set up directly in the database: only their `provider_keys` matter here. */
async function insertAgent(tenant: Tenant, name: string, keys: AgentProviderKeys) {
  const db = h.services.deps.db;
  const [policy] = await db
    .insert(policies)
    .values({ orgId: tenant.orgId, name: `policy-${name}` })
    .returning();
  const [agent] = await db
    .insert(agents)
    .values({
      orgId: tenant.orgId,
      name,
      apiKeyHash: randomUUID(),
      apiKeyPrefix: 'rg_sk_test',
      policyId: policy!.id,
      providerKeys: keys,
    })
    .returning();
  return agent!;
}

const agentKeys = async (id: string) =>
  (await h.services.deps.db.select().from(agents).where(eq(agents.id, id)))[0]!.providerKeys;

describe('provider keys: create, read, list', () => {
  it('creates a key encrypted at rest and shown masked, never in plaintext', async () => {
    const res = await h.request({
      method: 'POST',
      url: '/api/provider-keys',
      token: h.a.tokens.write,
      body: { provider: 'openai', name: 'openai-main', api_key: SECRET, base_url: 'https://api.openai.com/v1/' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain(SECRET);
    const key = res.json().data;
    expect(key).toMatchObject({
      org_id: h.a.orgId,
      provider: 'openai',
      name: 'openai-main',
      api_key: '...WXYZ',
      base_url: 'https://api.openai.com/v1',
      status: 'active',
      last_used_at: null,
      rotated_at: null,
    });

    const stored = await row(key.id);
    expect(stored.apiKeyEncrypted).not.toContain(SECRET);
    expect(stored.apiKeyEncrypted).not.toContain('0123456789');
    expect(h.services.deps.secretBox.decrypt(stored.apiKeyEncrypted!)).toBe(SECRET);
    expect(stored.createdByTokenId).not.toBeNull();

    const got = await h.request({ method: 'GET', url: `/api/provider-keys/${key.id}`, token: h.a.tokens.read });
    expect(got.statusCode).toBe(200);
    expect(got.json().data).toEqual(key);
    expect(got.body).not.toContain(SECRET);
  });

  it('answers bad input with 400 and field details', async () => {
    const missing = await h.request({
      method: 'POST',
      url: '/api/provider-keys',
      token: h.a.tokens.write,
      body: { name: 'x' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.type).toBe('validation_error');
    expect(Object.keys(missing.json().error.fields)).toEqual(expect.arrayContaining(['provider', 'api_key']));

    for (const base_url of ['ftp://example.com', 'not a url']) {
      const bad = await h.request({
        method: 'POST',
        url: '/api/provider-keys',
        token: h.a.tokens.write,
        body: { provider: 'openai', name: 'x', api_key: SECRET, base_url },
      });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error.fields).toHaveProperty('base_url');
    }
    const anthropicV1 = await h.request({
      method: 'POST',
      url: '/api/provider-keys',
      token: h.a.tokens.write,
      body: { provider: 'anthropic', name: 'x', api_key: SECRET, base_url: 'https://api.anthropic.com/v1' },
    });
    expect(anthropicV1.statusCode).toBe(400);
    expect(anthropicV1.json()).toMatchObject({
      error: { type: 'validation_error', fields: { base_url: expect.stringContaining('/v1') } },
    });
  });

  it('refuses a second live key with the same name (409), per org', async () => {
    await createKey(h.a, { name: 'dup' });
    const dup = await h.request({
      method: 'POST',
      url: '/api/provider-keys',
      token: h.a.tokens.write,
      body: { provider: 'groq', name: 'dup', api_key: SECRET },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ error: { type: 'conflict' } });
    await createKey(h.b, { name: 'dup' });
  });

  it('lists active and disabled keys by default, filters by provider and status, never across tenants', async () => {
    const groq = await createKey(h.a, { name: 'list-groq', provider: 'groq' });
    const off = await createKey(h.a, { name: 'list-off', provider: 'groq' });
    const gone = await createKey(h.a, { name: 'list-gone', provider: 'groq' });
    await h.request({ method: 'POST', url: `/api/provider-keys/${off.id}/disable`, token: h.a.tokens.write });
    await h.request({ method: 'DELETE', url: `/api/provider-keys/${gone.id}`, token: h.a.tokens.write });

    const byProvider = await h.request({
      method: 'GET',
      url: '/api/provider-keys?provider=groq',
      token: h.a.tokens.read,
    });
    expect(byProvider.statusCode).toBe(200);
    expect(
      byProvider
        .json()
        .data.map((k: Key) => k.id)
        .sort(),
    ).toEqual([groq.id, off.id].sort());
    expect(byProvider.json().total).toBe(2);

    const allRes = await h.request({ method: 'GET', url: '/api/provider-keys', token: h.a.tokens.read });
    const all = allRes.json();
    expect(all.data.some((k: Key) => k.status === 'deleted')).toBe(false);
    expect(all.data.every((k: Key & { org_id: string }) => k.org_id === h.a.orgId)).toBe(true);
    expect(allRes.body).not.toContain(SECRET);

    const deleted = (
      await h.request({ method: 'GET', url: '/api/provider-keys?status=deleted', token: h.a.tokens.read })
    ).json();
    expect(deleted.data.map((k: Key) => k.id)).toContain(gone.id);
    expect(deleted.data.every((k: Key) => k.status === 'deleted' && k.api_key === null)).toBe(true);

    const disabled = (
      await h.request({ method: 'GET', url: '/api/provider-keys?status=disabled', token: h.a.tokens.read })
    ).json();
    expect(disabled.data.map((k: Key) => k.id)).toEqual([off.id]);

    const badStatus = await h.request({
      method: 'GET',
      url: '/api/provider-keys?status=revoked',
      token: h.a.tokens.read,
    });
    expect(badStatus.statusCode).toBe(400);
    expect(badStatus.json().error.fields).toHaveProperty('status');
  });

  it("answers 404 for another tenant's key and 400 for a malformed id", async () => {
    const bKey = await createKey(h.b, { name: 'b-secret' });
    const cross = await h.request({ method: 'GET', url: `/api/provider-keys/${bKey.id}`, token: h.a.tokens.read });
    expect(cross.statusCode).toBe(404);
    expect(cross.json()).toMatchObject({ error: { type: 'not_found' } });
    const bad = await h.request({ method: 'GET', url: '/api/provider-keys/nope', token: h.a.tokens.read });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.type).toBe('validation_error');
  });
});

describe('provider keys: auth', () => {
  it('answers 401 in the flat shape without a token', async () => {
    for (const [method, url] of [
      ['GET', '/api/provider-keys'],
      ['POST', '/api/provider-keys'],
      ['PUT', '/api/provider-keys/by-name/x'],
      ['GET', `/api/provider-keys/${MISSING}/dependents`],
    ] as const) {
      const res = await h.request({ method, url, body: method === 'GET' ? undefined : {} });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: 'Authentication required' });
    }
  });

  it('answers 403 forbidden to a read token on every mutation', async () => {
    const key = await createKey(h.a, { name: 'guarded' });
    const mutations = [
      ['POST', '/api/provider-keys', { provider: 'openai', name: 'nope', api_key: SECRET }],
      ['PUT', `/api/provider-keys/${key.id}`, { name: 'nope' }],
      ['DELETE', `/api/provider-keys/${key.id}`, undefined],
      ['POST', `/api/provider-keys/${key.id}/disable`, undefined],
      ['POST', `/api/provider-keys/${key.id}/enable`, undefined],
      ['PUT', '/api/provider-keys/by-name/guarded', { api_key: SECRET }],
    ] as const;
    for (const [method, url, body] of mutations) {
      const res = await h.request({ method, url, token: h.a.tokens.read, body });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json()).toMatchObject({ error: { type: 'forbidden' } });
    }
    expect((await row(key.id)).status).toBe('active');
  });
});

describe('provider keys: update, disable, enable', () => {
  it('updates name and base_url, and rotates on a new api_key', async () => {
    const key = await createKey(h.a, { name: 'to-update' });
    const before = await row(key.id);
    h.clock.advance(60_000);

    const renamed = await h.request({
      method: 'PUT',
      url: `/api/provider-keys/${key.id}`,
      token: h.a.tokens.write,
      body: { name: 'updated', base_url: 'http://localhost:4000/v1' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().data).toMatchObject({
      name: 'updated',
      base_url: 'http://localhost:4000/v1',
      rotated_at: null,
      api_key: '...WXYZ',
    });

    const rotated = await h.request({
      method: 'PUT',
      url: `/api/provider-keys/${key.id}`,
      token: h.a.tokens.write,
      body: { api_key: 'sk-live-new-secret-9876', base_url: null },
    });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().data).toMatchObject({
      api_key: '...9876',
      base_url: null,
      rotated_at: h.clock.now().toISOString(),
      updated_at: h.clock.now().toISOString(),
    });
    const after = await row(key.id);
    expect(after.apiKeyEncrypted).not.toBe(before.apiKeyEncrypted);
    expect(h.services.deps.secretBox.decrypt(after.apiKeyEncrypted!)).toBe('sk-live-new-secret-9876');
  });

  it('validates the body, refuses a taken name, and hides other tenants (404)', async () => {
    const key = await createKey(h.a, { name: 'upd-a' });
    await createKey(h.a, { name: 'upd-taken' });
    const bad = await h.request({
      method: 'PUT',
      url: `/api/provider-keys/${key.id}`,
      token: h.a.tokens.write,
      body: { name: '', base_url: 'mailto:x@y.z', api_key: '' },
    });
    expect(bad.statusCode).toBe(400);
    expect(Object.keys(bad.json().error.fields)).toEqual(expect.arrayContaining(['name', 'base_url', 'api_key']));
    const taken = await h.request({
      method: 'PUT',
      url: `/api/provider-keys/${key.id}`,
      token: h.a.tokens.write,
      body: { name: 'upd-taken' },
    });
    expect(taken.statusCode).toBe(409);

    const cross = await h.request({
      method: 'PUT',
      url: `/api/provider-keys/${key.id}`,
      token: h.b.tokens.write,
      body: { name: 'stolen' },
    });
    expect(cross.statusCode).toBe(404);
    expect(cross.json()).toMatchObject({ error: { type: 'not_found' } });
    expect((await row(key.id)).name).toBe('upd-a');
  });

  it('disables and enables idempotently, only within the tenant', async () => {
    const key = await createKey(h.a, { name: 'toggle' });
    for (let i = 0; i < 2; i++) {
      const res = await h.request({
        method: 'POST',
        url: `/api/provider-keys/${key.id}/disable`,
        token: h.a.tokens.write,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().data).toMatchObject({ id: key.id, status: 'disabled', api_key: '...WXYZ' });
    }
    expect(
      (await h.request({ method: 'POST', url: `/api/provider-keys/${key.id}/enable`, token: h.b.tokens.write }))
        .statusCode,
    ).toBe(404);
    expect(
      (await h.request({ method: 'POST', url: `/api/provider-keys/${key.id}/disable`, token: h.b.tokens.write }))
        .statusCode,
    ).toBe(404);
    for (let i = 0; i < 2; i++) {
      const res = await h.request({
        method: 'POST',
        url: `/api/provider-keys/${key.id}/enable`,
        token: h.a.tokens.write,
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().data.status).toBe('active');
    }
    expect(
      (await h.request({ method: 'POST', url: `/api/provider-keys/${MISSING}/enable`, token: h.a.tokens.write }))
        .statusCode,
    ).toBe(404);
  });
});

describe('provider keys: delete', () => {
  it('soft-deletes: status deleted, secret scrubbed, name free again, no further changes', async () => {
    const key = await createKey(h.a, { name: 'doomed' });
    const res = await h.request({ method: 'DELETE', url: `/api/provider-keys/${key.id}`, token: h.a.tokens.write });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ data: { message: expect.any(String), remapped_agents: 0 } });

    const stored = await row(key.id);
    expect(stored).toMatchObject({ status: 'deleted', apiKeyEncrypted: null, apiKeyLast4: null });
    expect(stored.deletedAt).not.toBeNull();
    const got = await h.request({ method: 'GET', url: `/api/provider-keys/${key.id}`, token: h.a.tokens.read });
    expect(got.json().data).toMatchObject({ status: 'deleted', api_key: null });

    const again = await h.request({ method: 'DELETE', url: `/api/provider-keys/${key.id}`, token: h.a.tokens.write });
    expect(again.statusCode).toBe(200);
    for (const [method, url, body] of [
      ['PUT', `/api/provider-keys/${key.id}`, { name: 'revived' }],
      ['POST', `/api/provider-keys/${key.id}/enable`, undefined],
    ] as const) {
      const refused = await h.request({ method, url, token: h.a.tokens.write, body });
      expect(refused.statusCode).toBe(409);
      expect(refused.json()).toMatchObject({ error: { type: 'conflict' } });
    }
    const reused = await createKey(h.a, { name: 'doomed' });
    expect(reused.id).not.toBe(key.id);
  });

  it('remaps every agent that referenced the deleted key, and only those of the org', async () => {
    const old = await createKey(h.a, { name: 'remap-old' });
    const target = await createKey(h.a, { name: 'remap-target' });
    const peer = await createKey(h.a, { name: 'remap-peer' });
    const ant = await createKey(h.a, { name: 'remap-ant', provider: 'anthropic' });
    const single = await insertAgent(h.a, 'remap-single', { openai: old.id, anthropic: ant.id });
    const weighted = await insertAgent(h.a, 'remap-weighted', {
      openai: [
        { key_id: old.id, weight: 60 },
        { key_id: peer.id, weight: 40 },
      ],
    });
    const merged = await insertAgent(h.a, 'remap-merged', {
      openai: [
        { key_id: old.id, weight: 30 },
        { key_id: target.id, weight: 70 },
      ],
    });
    const unrelated = await insertAgent(h.a, 'remap-unrelated', { openai: peer.id });
    const otherOrg = await insertAgent(h.b, 'remap-other-org', { openai: old.id });

    const res = await h.request({
      method: 'DELETE',
      url: `/api/provider-keys/${old.id}?remap_to=${target.id}`,
      token: h.a.tokens.write,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data.remapped_agents).toBe(3);

    expect(await agentKeys(single.id)).toEqual({ openai: target.id, anthropic: ant.id });
    expect(await agentKeys(weighted.id)).toEqual({
      openai: [
        { key_id: target.id, weight: 60 },
        { key_id: peer.id, weight: 40 },
      ],
    });
    expect(await agentKeys(merged.id)).toEqual({ openai: [{ key_id: target.id, weight: 100 }] });
    expect(await agentKeys(unrelated.id)).toEqual({ openai: peer.id });
    expect(await agentKeys(otherOrg.id)).toEqual({ openai: old.id });
    expect((await row(old.id)).status).toBe('deleted');
  });

  it('refuses an invalid remap_to with 400 and leaves the key alone', async () => {
    const key = await createKey(h.a, { name: 'remap-src' });
    const agent = await insertAgent(h.a, 'remap-src-agent', { openai: key.id });
    const anthropic = await createKey(h.a, { name: 'remap-wrong-provider', provider: 'anthropic' });
    const disabled = await createKey(h.a, { name: 'remap-disabled' });
    await h.request({ method: 'POST', url: `/api/provider-keys/${disabled.id}/disable`, token: h.a.tokens.write });
    const foreign = await createKey(h.b, { name: 'remap-foreign' });

    for (const remapTo of [key.id, anthropic.id, disabled.id, foreign.id, MISSING]) {
      const res = await h.request({
        method: 'DELETE',
        url: `/api/provider-keys/${key.id}?remap_to=${remapTo}`,
        token: h.a.tokens.write,
      });
      expect(res.statusCode, remapTo).toBe(400);
      expect(res.json()).toMatchObject({
        error: { type: 'validation_error', fields: { remap_to: expect.any(String) } },
      });
    }
    const malformed = await h.request({
      method: 'DELETE',
      url: `/api/provider-keys/${key.id}?remap_to=nope`,
      token: h.a.tokens.write,
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().error.fields).toHaveProperty('remap_to');

    expect((await row(key.id)).status).toBe('active');
    expect(await agentKeys(agent.id)).toEqual({ openai: key.id });
  });

  it("lets no tenant delete or remap onto another tenant's key (404)", async () => {
    const aKey = await createKey(h.a, { name: 'a-protected' });
    const bKey = await createKey(h.b, { name: 'b-own' });
    const cross = await h.request({ method: 'DELETE', url: `/api/provider-keys/${aKey.id}`, token: h.b.tokens.write });
    expect(cross.statusCode).toBe(404);
    expect(cross.json()).toMatchObject({ error: { type: 'not_found' } });
    const crossRemap = await h.request({
      method: 'DELETE',
      url: `/api/provider-keys/${aKey.id}?remap_to=${bKey.id}`,
      token: h.b.tokens.write,
    });
    expect(crossRemap.statusCode).toBe(404);
    expect((await row(aKey.id)).status).toBe('active');
    expect((await row(bKey.id)).status).toBe('active');
  });
});

describe('provider keys: dependents', () => {
  it('lists referencing agents, their active runs and runs of the last 30 days', async () => {
    const key = await createKey(h.a, { name: 'dep-key' });
    const peerActive = await createKey(h.a, { name: 'dep-peer-active' });
    const peerDisabled = await createKey(h.a, { name: 'dep-peer-disabled' });
    await h.request({ method: 'POST', url: `/api/provider-keys/${peerDisabled.id}/disable`, token: h.a.tokens.write });
    const alone = await insertAgent(h.a, 'dep-alone', { openai: key.id });
    const shared = await insertAgent(h.a, 'dep-shared', {
      openai: [
        { key_id: key.id, weight: 1 },
        { key_id: peerActive.id, weight: 1 },
      ],
    });
    const fallbackOff = await insertAgent(h.a, 'dep-fallback-off', {
      openai: [
        { key_id: key.id, weight: 1 },
        { key_id: peerDisabled.id, weight: 1 },
      ],
    });
    await insertAgent(h.a, 'dep-unrelated', { openai: peerActive.id });

    const now = h.clock.now().getTime();
    const day = 86_400_000;
    await h.services.deps.db.insert(runs).values([
      {
        orgId: h.a.orgId,
        agentId: alone.id,
        creationMethod: 'implicit',
        status: 'running',
        startedAt: new Date(now - day),
      },
      {
        orgId: h.a.orgId,
        agentId: shared.id,
        creationMethod: 'implicit',
        status: 'completed',
        startedAt: new Date(now - 10 * day),
      },
      {
        orgId: h.a.orgId,
        agentId: shared.id,
        creationMethod: 'implicit',
        status: 'completed',
        startedAt: new Date(now - 40 * day),
      },
    ]);

    const res = await h.request({
      method: 'GET',
      url: `/api/provider-keys/${key.id}/dependents`,
      token: h.a.tokens.read,
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      data: {
        agents: [
          { id: alone.id, name: 'dep-alone', is_only_key_for_provider: true },
          { id: fallbackOff.id, name: 'dep-fallback-off', is_only_key_for_provider: true },
          { id: shared.id, name: 'dep-shared', is_only_key_for_provider: false },
        ],
        active_run_count: 1,
        runs_last_30_days: 2,
        last_used_at: null,
      },
    });

    const cross = await h.request({
      method: 'GET',
      url: `/api/provider-keys/${key.id}/dependents`,
      token: h.b.tokens.read,
    });
    expect(cross.statusCode).toBe(404);
  });

  it('answers zeros for a key nothing uses', async () => {
    const key = await createKey(h.a, { name: 'dep-unused' });
    const res = await h.request({
      method: 'GET',
      url: `/api/provider-keys/${key.id}/dependents`,
      token: h.a.tokens.read,
    });
    expect(res.json().data).toEqual({ agents: [], active_run_count: 0, runs_last_30_days: 0, last_used_at: null });
  });
});

describe('provider keys: upsert by name', () => {
  it('creates (201), then updates (200) with a rotation, keeping the same key', async () => {
    const created = await h.request({
      method: 'PUT',
      url: '/api/provider-keys/by-name/ups',
      token: h.a.tokens.write,
      body: { provider: 'anthropic', api_key: SECRET },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json().data).toMatchObject({
      name: 'ups',
      provider: 'anthropic',
      api_key: '...WXYZ',
      base_url: null,
      rotated_at: null,
    });
    expect(created.body).not.toContain(SECRET);

    h.clock.advance(1000);
    const updated = await h.request({
      method: 'PUT',
      url: '/api/provider-keys/by-name/ups',
      token: h.a.tokens.write,
      body: { api_key: 'sk-ant-rotated-key-5555', base_url: 'https://proxy.internal' },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().data).toMatchObject({
      id: created.json().data.id,
      api_key: '...5555',
      base_url: 'https://proxy.internal',
      rotated_at: h.clock.now().toISOString(),
    });

    const same = await h.request({
      method: 'PUT',
      url: '/api/provider-keys/by-name/ups',
      token: h.a.tokens.write,
      body: { provider: 'anthropic' },
    });
    expect(same.statusCode).toBe(200);
    expect(same.json().data.rotated_at).toBe(updated.json().data.rotated_at);
  });

  it('409s a provider change, 400s a create without provider and api_key', async () => {
    await h.request({
      method: 'PUT',
      url: '/api/provider-keys/by-name/ups-conflict',
      token: h.a.tokens.write,
      body: { provider: 'openai', api_key: SECRET },
    });
    const conflict = await h.request({
      method: 'PUT',
      url: '/api/provider-keys/by-name/ups-conflict',
      token: h.a.tokens.write,
      body: { provider: 'anthropic' },
    });
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json()).toMatchObject({ error: { type: 'conflict' } });

    const incomplete = await h.request({
      method: 'PUT',
      url: '/api/provider-keys/by-name/ups-new',
      token: h.a.tokens.write,
      body: { base_url: 'https://x.example/v1' },
    });
    expect(incomplete.statusCode).toBe(400);
    expect(incomplete.json()).toMatchObject({
      error: { type: 'validation_error', fields: { provider: expect.any(String), api_key: expect.any(String) } },
    });
    const badUrl = await h.request({
      method: 'PUT',
      url: '/api/provider-keys/by-name/ups-new',
      token: h.a.tokens.write,
      body: { provider: 'openai', api_key: SECRET, base_url: 'nope' },
    });
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json().error.fields).toHaveProperty('base_url');
  });

  it('ignores a deleted key of the same name, and never touches another tenant', async () => {
    const first = (
      await h.request({
        method: 'PUT',
        url: '/api/provider-keys/by-name/ups-recycled',
        token: h.a.tokens.write,
        body: { provider: 'openai', api_key: SECRET },
      })
    ).json().data;
    await h.request({ method: 'DELETE', url: `/api/provider-keys/${first.id}`, token: h.a.tokens.write });
    const second = await h.request({
      method: 'PUT',
      url: '/api/provider-keys/by-name/ups-recycled',
      token: h.a.tokens.write,
      body: { provider: 'groq', api_key: SECRET },
    });
    expect(second.statusCode).toBe(201);
    expect(second.json().data.id).not.toBe(first.id);

    const inB = await h.request({
      method: 'PUT',
      url: '/api/provider-keys/by-name/ups-recycled',
      token: h.b.tokens.write,
      body: { provider: 'openai', api_key: SECRET },
    });
    expect(inB.statusCode).toBe(201);
    expect((await row(second.json().data.id)).provider).toBe('groq');
  });
});

describe('provider keys: resolveForRouting', () => {
  it('returns decrypted active keys of the org, in the order asked', async () => {
    const one = await createKey(h.a, { name: 'route-1', base_url: 'https://api.groq.com/openai/v1', provider: 'groq' });
    const two = await createKey(h.a, { name: 'route-2', api_key: 'sk-second-key-0000' });
    const disabled = await createKey(h.a, { name: 'route-disabled' });
    const deleted = await createKey(h.a, { name: 'route-deleted' });
    const foreign = await createKey(h.b, { name: 'route-foreign' });
    await h.request({ method: 'POST', url: `/api/provider-keys/${disabled.id}/disable`, token: h.a.tokens.write });
    await h.request({ method: 'DELETE', url: `/api/provider-keys/${deleted.id}`, token: h.a.tokens.write });

    const resolved = await h.services.providerKeys.resolveForRouting(h.a.orgId, [
      two.id,
      disabled.id,
      'not-a-uuid',
      deleted.id,
      foreign.id,
      one.id,
      two.id,
      MISSING,
    ]);
    expect(resolved).toEqual([
      { id: two.id, provider: 'openai', baseUrl: null, apiKey: 'sk-second-key-0000', status: 'active' },
      { id: one.id, provider: 'groq', baseUrl: 'https://api.groq.com/openai/v1', apiKey: SECRET, status: 'active' },
    ]);
    expect(await h.services.providerKeys.resolveForRouting(h.a.orgId, [])).toEqual([]);
  });
});

describe('provider keys over tRPC and GraphQL', () => {
  it('lists and mutates over tRPC with the same auth and masking', async () => {
    const key = await createKey(h.a, { name: 'trpc-key' });
    const list = await h.request({ method: 'GET', url: '/trpc/providerKeys.list', token: h.a.tokens.read });
    expect(list.statusCode).toBe(200);
    expect(list.json().result.data).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: key.id, api_key: '...WXYZ' })]),
    );
    expect(list.body).not.toContain(SECRET);

    expect((await h.request({ method: 'GET', url: '/trpc/providerKeys.list' })).statusCode).toBe(401);
    const readOnly = await h.request({
      method: 'POST',
      url: '/trpc/providerKeys.disable',
      token: h.a.tokens.read,
      body: { id: key.id },
    });
    expect(readOnly.statusCode).toBe(403);
    const cross = await h.request({
      method: 'POST',
      url: '/trpc/providerKeys.disable',
      token: h.b.tokens.write,
      body: { id: key.id },
    });
    expect(cross.statusCode).toBe(404);
    const updated = await h.request({
      method: 'POST',
      url: '/trpc/providerKeys.update',
      token: h.a.tokens.write,
      body: { id: key.id, name: 'trpc-renamed' },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().result.data.name).toBe('trpc-renamed');
    const bad = await h.request({
      method: 'POST',
      url: '/trpc/providerKeys.create',
      token: h.a.tokens.write,
      body: { provider: 'openai', name: 'x', api_key: '' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.data.fields).toHaveProperty('api_key');
  });

  it('answers GraphQL queries with masked keys, per tenant, and 401 without a token', async () => {
    const key = await createKey(h.b, { name: 'gql-key' });
    const q = `{ providerKeys { id name api_key status created_at } providerKey(id: "${key.id}") { id provider api_key base_url rotated_at } }`;
    const res = await h.request({ method: 'POST', url: '/graphql', token: h.b.tokens.read, body: { query: q } });
    expect(res.statusCode).toBe(200);
    const data = res.json().data;
    expect(data.providerKeys).toEqual(
      expect.arrayContaining([
        { id: key.id, name: 'gql-key', api_key: '...WXYZ', status: 'active', created_at: expect.any(String) },
      ]),
    );
    expect(data.providerKey).toEqual({
      id: key.id,
      provider: 'openai',
      api_key: '...WXYZ',
      base_url: null,
      rotated_at: null,
    });
    expect(res.body).not.toContain(SECRET);

    const deleted = await h.request({
      method: 'POST',
      url: '/graphql',
      token: h.b.tokens.read,
      body: { query: '{ providerKeys(status: deleted) { status api_key } }' },
    });
    expect(deleted.json().data.providerKeys.every((k: Key) => k.status === 'deleted' && k.api_key === null)).toBe(true);

    const cross = await h.request({
      method: 'POST',
      url: '/graphql',
      token: h.a.tokens.read,
      body: { query: `{ providerKey(id: "${key.id}") { id } }` },
    });
    expect(cross.json().errors[0].extensions.code).toBe('not_found');

    const anonymous = await h.request({ method: 'POST', url: '/graphql', body: { query: '{ providerKeys { id } }' } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toEqual({ error: 'Authentication required' });
  });
});
