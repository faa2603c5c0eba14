import { agents, policies, providerKeys, runs } from '@rungate/db';
import { sha256Hex } from '@rungate/governance';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness, type Tenant } from './harness.ts';

let h: Harness;
let policyA: string;
let otherPolicyA: string;
let deletedPolicyA: string;
let policyB: string;
let openaiKeyA: string;
let anthropicKeyA: string;
let deletedKeyA: string;
let openaiKeyB: string;

async function insertPolicy(tenant: Tenant, name: string, deleted = false): Promise<string> {
  const [row] = await h.services.deps.db
    .insert(policies)
    .values({ orgId: tenant.orgId, name, ...(deleted ? { deletedAt: h.clock.now() } : {}) })
    .returning({ id: policies.id });
  return row!.id;
}

async function insertProviderKey(
  tenant: Tenant,
  provider: string,
  name: string,
  status: 'active' | 'deleted' = 'active',
): Promise<string> {
  const [row] = await h.services.deps.db
    .insert(providerKeys)
    .values({
      orgId: tenant.orgId,
      provider,
      name,
      status,
      apiKeyEncrypted: status === 'deleted' ? null : h.services.deps.secretBox.encrypt('sk-test'),
      apiKeyLast4: 'test',
    })
    .returning({ id: providerKeys.id });
  return row!.id;
}

async function createAgent(body: Record<string, unknown>, token = h.a.tokens.write) {
  const res = await h.request({ method: 'POST', url: '/api/agents', token, body: { policy_id: policyA, ...body } });
  expect(res.statusCode).toBe(201);
  return res.json().data;
}

const tokenIdOf = (tenant: Tenant) => (tenant.ctx.actor.kind === 'token' ? tenant.ctx.actor.tokenId : null);

beforeAll(async () => {
  h = await createHarness();
  policyA = await insertPolicy(h.a, 'default');
  otherPolicyA = await insertPolicy(h.a, 'strict');
  deletedPolicyA = await insertPolicy(h.a, 'gone', true);
  policyB = await insertPolicy(h.b, 'default');
  openaiKeyA = await insertProviderKey(h.a, 'openai', 'oa');
  anthropicKeyA = await insertProviderKey(h.a, 'anthropic', 'an');
  deletedKeyA = await insertProviderKey(h.a, 'openai', 'old', 'deleted');
  openaiKeyB = await insertProviderKey(h.b, 'openai', 'oa');
});
afterAll(() => h.close());

describe('create', () => {
  it('returns the key once, stores only its hash and prefix, and records who created it', async () => {
    const res = await h.request({
      method: 'POST',
      url: '/api/agents',
      token: h.a.tokens.admin,
      body: {
        name: 'support-bot',
        description: 'Answers tickets',
        policy_id: policyA,
        allowed_policies: [otherPolicyA],
        provider_keys: { openai: openaiKeyA, anthropic: [{ key_id: anthropicKeyA, weight: 100 }] },
        routing_override: { default_chain: ['anthropic', 'openai'], timeout_ms: 30_000 },
        metadata: { team: 'cx' },
        org_id: h.b.orgId,
      },
    });
    expect(res.statusCode).toBe(201);
    const { data } = res.json();
    expect(data.api_key).toMatch(/^rg_sk_[A-Za-z0-9]{40}$/);
    expect(data).not.toHaveProperty('_note');
    expect(data).not.toHaveProperty('api_key_hash');
    expect(data).toMatchObject({
      name: 'support-bot',
      description: 'Answers tickets',
      org_id: h.a.orgId,
      policy_id: policyA,
      allowed_policies: [otherPolicyA],
      provider_keys: { openai: openaiKeyA, anthropic: [{ key_id: anthropicKeyA, weight: 100 }] },
      routing_override: { default_chain: ['anthropic', 'openai'], timeout_ms: 30_000 },
      metadata: { team: 'cx' },
      status: 'active',
      api_key_prefix: data.api_key.slice(0, 11),
      created_by: `token:${tokenIdOf(h.a)}`,
      updated_by: `token:${tokenIdOf(h.a)}`,
      created_by_token_id: tokenIdOf(h.a),
      updated_by_token_id: tokenIdOf(h.a),
      member_id: null,
    });

    const [row] = await h.services.deps.db.select().from(agents).where(eq(agents.id, data.id));
    expect(row!.apiKeyHash).toBe(sha256Hex(data.api_key));
    expect(JSON.stringify(row)).not.toContain(data.api_key);

    const read = await h.request({ method: 'GET', url: `/api/agents/${data.id}`, token: h.a.tokens.read });
    expect(read.statusCode).toBe(200);
    expect(read.json().data).not.toHaveProperty('api_key');
    expect(read.json().data).toMatchObject({ id: data.id, api_key_prefix: data.api_key_prefix });
  });

  it('suffixes a taken name and says so in _note', async () => {
    const first = await createAgent({ name: 'twin' });
    const second = await createAgent({ name: 'twin' });
    const third = await createAgent({ name: 'twin' });
    expect([first.name, second.name, third.name]).toEqual(['twin', 'twin-2', 'twin-3']);
    expect(first).not.toHaveProperty('_note');
    expect(second._note).toContain("'twin-2'");
    // Names are per org: tenant b gets the plain name.
    const other = await createAgent({ name: 'twin', policy_id: policyB }, h.b.tokens.write);
    expect(other.name).toBe('twin');
  });

  it('gives concurrent creates of one name distinct suffixes', async () => {
    const created = await Promise.all([1, 2, 3, 4].map(() => createAgent({ name: 'racer' })));
    expect(created.map((a) => a.name).sort()).toEqual(['racer', 'racer-2', 'racer-3', 'racer-4']);
  });

  it('answers 400 with fields for a malformed body', async () => {
    const res = await h.request({
      method: 'POST',
      url: '/api/agents',
      token: h.a.tokens.write,
      body: {
        name: '',
        policy_id: 'nope',
        routing_override: { timeout_ms: -5 },
        provider_keys: { openai: [{ key_id: 'k', weight: 0 }] },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.type).toBe('validation_error');
    expect(Object.keys(res.json().error.fields)).toEqual(
      expect.arrayContaining(['name', 'policy_id', 'routing_override.timeout_ms', 'provider_keys.openai.0.weight']),
    );
  });

  it("refuses a missing, deleted or other tenant's policy as a field error", async () => {
    for (const policy_id of [policyB, deletedPolicyA, '00000000-0000-4000-8000-000000000000']) {
      const res = await h.request({
        method: 'POST',
        url: '/api/agents',
        token: h.a.tokens.write,
        body: { name: 'x', policy_id },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error: {
          type: 'validation_error',
          message: 'Invalid agent references',
          fields: { policy_id: `Policy '${policy_id}' not found` },
        },
      });
    }
    const allowed = await h.request({
      method: 'POST',
      url: '/api/agents',
      token: h.a.tokens.write,
      body: { name: 'x', policy_id: policyA, allowed_policies: [otherPolicyA, policyB, 'not-a-uuid'] },
    });
    expect(allowed.statusCode).toBe(400);
    expect(Object.keys(allowed.json().error.fields).sort()).toEqual(['allowed_policies.1', 'allowed_policies.2']);
  });

  it("refuses unknown, deleted, other tenant's or other provider's keys as field errors", async () => {
    const res = await h.request({
      method: 'POST',
      url: '/api/agents',
      token: h.a.tokens.write,
      body: {
        name: 'x',
        policy_id: policyA,
        provider_keys: {
          openai: [
            { key_id: deletedKeyA, weight: 50 },
            { key_id: openaiKeyB, weight: 50 },
          ],
          anthropic: openaiKeyA,
          groq: 'not-a-uuid',
          mistral: [],
        },
      },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.fields).toEqual({
      'provider_keys.openai.0.key_id': `Provider key '${deletedKeyA}' not found`,
      'provider_keys.openai.1.key_id': `Provider key '${openaiKeyB}' not found`,
      'provider_keys.anthropic': `Provider key '${openaiKeyA}' is a 'openai' key, not 'anthropic'`,
      'provider_keys.groq': "Provider key 'not-a-uuid' not found",
      'provider_keys.mistral': 'List at least one key',
    });
    expect(await h.services.deps.db.select().from(agents).where(eq(agents.name, 'x'))).toEqual([]);
  });
});

describe('list and get', () => {
  it('filters by status and policy, and never shows another tenant', async () => {
    const strict = await createAgent({ name: 'strict-one', policy_id: otherPolicyA });
    await h.request({
      method: 'PATCH',
      url: `/api/agents/${strict.id}`,
      token: h.a.tokens.write,
      body: { status: 'disabled' },
    });

    const all = (await h.request({ method: 'GET', url: '/api/agents', token: h.a.tokens.read })).json();
    expect(all.total).toBe(all.data.length);
    expect(all.data.every((a: { org_id: string }) => a.org_id === h.a.orgId)).toBe(true);
    expect(all.data.some((a: { id: string }) => a.id === strict.id)).toBe(true);

    const byPolicy = (
      await h.request({ method: 'GET', url: `/api/agents?policy_id=${otherPolicyA}`, token: h.a.tokens.read })
    ).json();
    expect(byPolicy.data.map((a: { id: string }) => a.id)).toEqual([strict.id]);
    const disabled = (
      await h.request({ method: 'GET', url: '/api/agents?status=disabled', token: h.a.tokens.read })
    ).json();
    expect(disabled).toMatchObject({ total: 1, data: [{ id: strict.id, status: 'disabled' }] });
    const active = (
      await h.request({ method: 'GET', url: '/api/agents?status=active', token: h.a.tokens.read })
    ).json();
    expect(active.data.some((a: { id: string }) => a.id === strict.id)).toBe(false);

    const bad = await h.request({ method: 'GET', url: '/api/agents?status=paused', token: h.a.tokens.read });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toHaveProperty('status');
  });

  it("answers 404 for another tenant's agent on every id operation", async () => {
    const theirs = await createAgent({ name: 'hidden', policy_id: policyB }, h.b.tokens.write);
    const calls = [
      { method: 'GET', url: `/api/agents/${theirs.id}` },
      { method: 'PUT', url: `/api/agents/${theirs.id}`, body: { description: 'mine now' } },
      { method: 'PATCH', url: `/api/agents/${theirs.id}`, body: { status: 'disabled' } },
      { method: 'POST', url: `/api/agents/${theirs.id}/rotate-key` },
    ] as const;
    for (const call of calls) {
      const res = await h.request({ ...call, token: h.a.tokens.write });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toEqual({ error: { type: 'not_found', message: 'Agent not found' } });
    }
    const [row] = await h.services.deps.db.select().from(agents).where(eq(agents.id, theirs.id));
    expect(row).toMatchObject({ description: null, status: 'active', apiKeyHash: sha256Hex(theirs.api_key) });
  });
});

describe('update', () => {
  it('PUT writes the given fields and keeps the rest', async () => {
    const agent = await createAgent({
      name: 'put-me',
      description: 'before',
      metadata: { a: 1 },
      provider_keys: { openai: openaiKeyA },
    });
    h.clock.advance(1000);
    const res = await h.request({
      method: 'PUT',
      url: `/api/agents/${agent.id}`,
      token: h.a.tokens.admin,
      body: {
        policy_id: otherPolicyA,
        provider_keys: { anthropic: anthropicKeyA },
        routing_override: { default_chain: ['anthropic'], load_balancing: 'failover' },
        allowed_policies: null,
        status: 'disabled',
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      name: 'put-me',
      description: 'before',
      metadata: { a: 1 },
      policy_id: otherPolicyA,
      provider_keys: { anthropic: anthropicKeyA },
      routing_override: { default_chain: ['anthropic'], load_balancing: 'failover' },
      allowed_policies: null,
      status: 'disabled',
      created_by_token_id: agent.created_by_token_id,
      updated_by_token_id: tokenIdOf(h.a),
      api_key_prefix: agent.api_key_prefix,
    });
    expect(Date.parse(res.json().data.updated_at)).toBeGreaterThan(Date.parse(agent.updated_at));
  });

  it('PUT refuses bad references and bad values with field errors, and a taken name with 409', async () => {
    const agent = await createAgent({ name: 'put-bad' });
    const refs = await h.request({
      method: 'PUT',
      url: `/api/agents/${agent.id}`,
      token: h.a.tokens.write,
      body: { policy_id: policyB, provider_keys: { openai: openaiKeyB } },
    });
    expect(refs.statusCode).toBe(400);
    expect(Object.keys(refs.json().error.fields).sort()).toEqual(['policy_id', 'provider_keys.openai']);
    const values = await h.request({
      method: 'PUT',
      url: `/api/agents/${agent.id}`,
      token: h.a.tokens.write,
      body: { status: 'paused', routing_override: { timeout_ms: 1.5 } },
    });
    expect(values.statusCode).toBe(400);
    expect(Object.keys(values.json().error.fields)).toEqual(
      expect.arrayContaining(['status', 'routing_override.timeout_ms']),
    );
    const taken = await h.request({
      method: 'PUT',
      url: `/api/agents/${agent.id}`,
      token: h.a.tokens.write,
      body: { name: 'support-bot' },
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ error: { type: 'conflict' } });
  });

  it('PATCH changes only what it is given', async () => {
    const agent = await createAgent({
      name: 'patch-me',
      description: 'keep',
      provider_keys: { openai: openaiKeyA },
      metadata: { x: 1 },
    });
    const res = await h.request({
      method: 'PATCH',
      url: `/api/agents/${agent.id}`,
      token: h.a.tokens.write,
      body: { name: 'patched', metadata: { y: 2 } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      name: 'patched',
      description: 'keep',
      metadata: { y: 2 },
      provider_keys: { openai: openaiKeyA },
      status: 'active',
      policy_id: policyA,
    });
    const cleared = await h.request({
      method: 'PATCH',
      url: `/api/agents/${agent.id}`,
      token: h.a.tokens.write,
      body: { description: null },
    });
    expect(cleared.json().data).toMatchObject({ name: 'patched', description: null });
    const bad = await h.request({
      method: 'PATCH',
      url: `/api/agents/${agent.id}`,
      token: h.a.tokens.write,
      body: { policy_id: deletedPolicyA },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.fields).toEqual({ policy_id: `Policy '${deletedPolicyA}' not found` });
  });

  it('PATCH member_id needs the admin scope and a member of the org', async () => {
    const agent = await createAgent({ name: 'owned' });
    const writer = await h.request({
      method: 'PATCH',
      url: `/api/agents/${agent.id}`,
      token: h.a.tokens.write,
      body: { member_id: null },
    });
    expect(writer.statusCode).toBe(403);
    expect(writer.json()).toMatchObject({ error: { type: 'forbidden' } });
    const unknown = await h.request({
      method: 'PATCH',
      url: `/api/agents/${agent.id}`,
      token: h.a.tokens.admin,
      body: { member_id: '00000000-0000-4000-8000-000000000000' },
    });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.fields).toEqual({
      member_id: "Member '00000000-0000-4000-8000-000000000000' not found",
    });
    const cleared = await h.request({
      method: 'PATCH',
      url: `/api/agents/${agent.id}`,
      token: h.a.tokens.admin,
      body: { member_id: null },
    });
    expect(cleared.statusCode).toBe(200);
    expect(cleared.json().data.member_id).toBeNull();
  });
});

describe('rotate-key', () => {
  it('returns a new key once and the old key stops resolving at once', async () => {
    const agent = await createAgent({ name: 'rotor' });
    expect((await h.services.agents.authenticateAgentKey(agent.api_key))?.id).toBe(agent.id);

    const res = await h.request({ method: 'POST', url: `/api/agents/${agent.id}/rotate-key`, token: h.a.tokens.write });
    expect(res.statusCode).toBe(200);
    const { data } = res.json();
    expect(data).toEqual({
      message: expect.any(String),
      api_key: expect.stringMatching(/^rg_sk_/),
      api_key_prefix: data.api_key.slice(0, 11),
    });
    expect(data.api_key).not.toBe(agent.api_key);

    expect(await h.services.agents.authenticateAgentKey(agent.api_key)).toBeNull();
    const resolved = await h.services.agents.authenticateAgentKey(data.api_key);
    expect(resolved).toMatchObject({
      id: agent.id,
      orgId: h.a.orgId,
      status: 'active',
      apiKeyHash: sha256Hex(data.api_key),
    });
    expect(await h.services.agents.authenticateAgentKey('rg_sk_unknown')).toBeNull();
    expect(await h.services.agents.authenticateAgentKey(h.a.tokens.admin)).toBeNull();

    const after = (await h.request({ method: 'GET', url: `/api/agents/${agent.id}`, token: h.a.tokens.read })).json()
      .data;
    expect(after.api_key_prefix).toBe(data.api_key_prefix);
  });

  it('resolves a disabled agent too, so the proxy can refuse it by status', async () => {
    const agent = await createAgent({ name: 'sleepy' });
    await h.request({
      method: 'PATCH',
      url: `/api/agents/${agent.id}`,
      token: h.a.tokens.write,
      body: { status: 'disabled' },
    });
    expect(await h.services.agents.authenticateAgentKey(agent.api_key)).toMatchObject({
      id: agent.id,
      status: 'disabled',
    });
  });
});

describe('upsert by name', () => {
  it('creates with 201 and the key, then updates the same agent with 200 and no key', async () => {
    const created = await h.request({
      method: 'PUT',
      url: '/api/agents/by-name/deployer',
      token: h.a.tokens.write,
      body: { policy_id: policyA, description: 'v1', status: 'disabled', provider_keys: { openai: openaiKeyA } },
    });
    expect(created.statusCode).toBe(201);
    const first = created.json().data;
    expect(first).toMatchObject({
      name: 'deployer',
      description: 'v1',
      status: 'active',
      api_key: expect.stringMatching(/^rg_sk_/),
    });

    const updated = await h.request({
      method: 'PUT',
      url: '/api/agents/by-name/deployer',
      token: h.a.tokens.write,
      body: { description: 'v2', status: 'disabled' },
    });
    expect(updated.statusCode).toBe(200);
    expect(updated.json().data).toMatchObject({
      id: first.id,
      name: 'deployer',
      description: 'v2',
      status: 'disabled',
      provider_keys: { openai: openaiKeyA },
    });
    expect(updated.json().data).not.toHaveProperty('api_key');
    expect(await h.services.agents.authenticateAgentKey(first.api_key)).toMatchObject({ id: first.id });
  });

  it('updates a taken name instead of suffixing it', async () => {
    const existing = await createAgent({ name: 'solo' });
    const res = await h.request({
      method: 'PUT',
      url: '/api/agents/by-name/solo',
      token: h.a.tokens.write,
      body: { policy_id: otherPolicyA },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ id: existing.id, name: 'solo', policy_id: otherPolicyA });
    const named = (await h.request({ method: 'GET', url: '/api/agents', token: h.a.tokens.read }))
      .json()
      .data.filter((a: { name: string }) => a.name.startsWith('solo'));
    expect(named).toHaveLength(1);
  });

  it('needs policy_id to create and validates references', async () => {
    const missing = await h.request({
      method: 'PUT',
      url: '/api/agents/by-name/newcomer',
      token: h.a.tokens.write,
      body: { description: 'x' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toEqual({
      error: {
        type: 'validation_error',
        message: 'policy_id is required to create an agent',
        fields: { policy_id: 'Required when the agent is created' },
      },
    });
    const foreign = await h.request({
      method: 'PUT',
      url: '/api/agents/by-name/newcomer',
      token: h.a.tokens.write,
      body: { policy_id: policyB },
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().error.fields).toEqual({ policy_id: `Policy '${policyB}' not found` });
    expect(await h.services.deps.db.select().from(agents).where(eq(agents.name, 'newcomer'))).toEqual([]);
  });

  it('creates a separate agent when only another tenant has that name', async () => {
    await createAgent({ name: 'shared-name', policy_id: policyB }, h.b.tokens.write);
    const res = await h.request({
      method: 'PUT',
      url: '/api/agents/by-name/shared-name',
      token: h.a.tokens.write,
      body: { policy_id: policyA },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json().data.org_id).toBe(h.a.orgId);
  });
});

describe('stats', () => {
  it('sums spend and counts runs per agent in SQL, with zeros for agents without runs', async () => {
    const busy = await createAgent({ name: 'busy' });
    const idle = await createAgent({ name: 'idle' });
    const theirs = await createAgent({ name: 'busy', policy_id: policyB }, h.b.tokens.write);
    await h.services.deps.db.insert(runs).values([
      {
        orgId: h.a.orgId,
        agentId: busy.id,
        policyId: policyA,
        creationMethod: 'implicit',
        totalCostUsd: '0.1234567890',
        totalTokens: 100,
      },
      {
        orgId: h.a.orgId,
        agentId: busy.id,
        policyId: policyA,
        creationMethod: 'explicit',
        totalCostUsd: '1.5000000000',
        totalTokens: 50,
      },
      { orgId: h.b.orgId, agentId: theirs.id, policyId: policyB, creationMethod: 'implicit', totalCostUsd: '9' },
    ]);
    const res = await h.request({ method: 'GET', url: '/api/agents/stats/all', token: h.a.tokens.read });
    expect(res.statusCode).toBe(200);
    const { data } = res.json();
    expect(data[busy.id]).toEqual({ total_spend: 1.623456789, total_runs: 2 });
    expect(data[idle.id]).toEqual({ total_spend: 0, total_runs: 0 });
    expect(data).not.toHaveProperty(theirs.id);
    const listed = (await h.request({ method: 'GET', url: '/api/agents', token: h.a.tokens.read })).json();
    expect(Object.keys(data).sort()).toEqual(listed.data.map((a: { id: string }) => a.id).sort());
  });
});

describe('auth', () => {
  const someId = '00000000-0000-4000-8000-000000000000';
  const operations = [
    { method: 'POST', url: '/api/agents', body: { name: 'n', policy_id: someId } },
    { method: 'GET', url: '/api/agents' },
    { method: 'GET', url: '/api/agents/stats/all' },
    { method: 'GET', url: `/api/agents/${someId}` },
    { method: 'PUT', url: `/api/agents/${someId}`, body: {} },
    { method: 'PATCH', url: `/api/agents/${someId}`, body: {} },
    { method: 'POST', url: `/api/agents/${someId}/rotate-key` },
    { method: 'PUT', url: '/api/agents/by-name/n', body: { policy_id: someId } },
  ] as const;

  it('answers 401 in the flat shape without a valid token', async () => {
    for (const op of operations) {
      for (const token of [null, 'rg_adm_nope']) {
        const res = await h.request({ ...op, token });
        expect(res.statusCode, `${op.method} ${op.url}`).toBe(401);
        expect(res.json()).toEqual({ error: 'Authentication required' });
      }
    }
  });

  it('refuses mutations to a read token with 403 and lets it read', async () => {
    for (const op of operations) {
      const res = await h.request({ ...op, token: h.a.tokens.read });
      if (op.method === 'GET') expect(res.statusCode, op.url).not.toBe(403);
      else {
        expect(res.statusCode, `${op.method} ${op.url}`).toBe(403);
        expect(res.json()).toMatchObject({ error: { type: 'forbidden' } });
      }
    }
  });

  it('400s a non-uuid id', async () => {
    const res = await h.request({ method: 'GET', url: '/api/agents/not-a-uuid', token: h.a.tokens.read });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.type).toBe('validation_error');
  });
});

describe('tRPC and GraphQL', () => {
  const trpc = (path: string, token: string | null, input?: unknown) =>
    h.app.inject({
      method: 'GET',
      url: `/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  const graphql = (query: string, token: string | null, variables?: Record<string, unknown>) =>
    h.app.inject({
      method: 'POST',
      url: '/graphql',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      payload: { query, variables },
    });

  it('lists and gets through tRPC with the same auth and tenant scoping', async () => {
    const mine = await createAgent({ name: 'trpc-visible' });
    const theirs = await createAgent({ name: 'trpc-hidden', policy_id: policyB }, h.b.tokens.write);

    const list = await trpc('agents.list', h.a.tokens.read);
    expect(list.statusCode).toBe(200);
    const agentsSeen = list.json().result.data as { id: string; org_id: string }[];
    expect(agentsSeen.some((a) => a.id === mine.id)).toBe(true);
    expect(agentsSeen.every((a) => a.org_id === h.a.orgId)).toBe(true);

    const filtered = await trpc('agents.list', h.a.tokens.read, { policy_id: otherPolicyA });
    expect(filtered.json().result.data.every((a: { policy_id: string }) => a.policy_id === otherPolicyA)).toBe(true);

    expect((await trpc('agents.get', h.a.tokens.read, { id: mine.id })).json().result.data).toMatchObject({
      id: mine.id,
      name: 'trpc-visible',
    });
    expect((await trpc('agents.get', h.a.tokens.read, { id: theirs.id })).statusCode).toBe(404);
    expect((await trpc('agents.list', null)).statusCode).toBe(401);
  });

  it('runs tRPC mutations through the write scope and the same validation', async () => {
    const post = (path: string, token: string, input: unknown) =>
      h.app.inject({
        method: 'POST',
        url: `/trpc/${path}`,
        headers: { authorization: `Bearer ${token}` },
        payload: input as object,
      });
    const denied = await post('agents.create', h.a.tokens.read, { name: 'via-trpc', policy_id: policyA });
    expect(denied.statusCode).toBe(403);
    const created = await post('agents.create', h.a.tokens.write, { name: 'via-trpc', policy_id: policyA });
    expect(created.statusCode).toBe(200);
    const agent = created.json().result.data;
    expect(agent.api_key).toMatch(/^rg_sk_/);
    const patched = await post('agents.patch', h.a.tokens.write, { id: agent.id, description: 'from trpc' });
    expect(patched.json().result.data).toMatchObject({ id: agent.id, description: 'from trpc' });
    const bad = await post('agents.update', h.a.tokens.write, { id: agent.id, policy_id: policyB });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.data.fields).toEqual({ policy_id: `Policy '${policyB}' not found` });
    const rotated = await post('agents.rotateKey', h.a.tokens.write, { id: agent.id });
    expect(await h.services.agents.authenticateAgentKey(rotated.json().result.data.api_key)).toMatchObject({
      id: agent.id,
    });
  });

  it('answers agents and agent(id) over GraphQL behind the same auth', async () => {
    const mine = await createAgent({ name: 'gql-visible', provider_keys: { openai: openaiKeyA } });
    const theirs = await createAgent({ name: 'gql-hidden', policy_id: policyB }, h.b.tokens.write);

    const list = await graphql(
      '{ agents(status: active) { id name status org_id provider_keys created_at } }',
      h.a.tokens.read,
    );
    expect(list.statusCode).toBe(200);
    const listed = list.json().data.agents as { id: string; org_id: string; status: string }[];
    expect(listed.find((a) => a.id === mine.id)).toMatchObject({
      name: 'gql-visible',
      status: 'active',
      provider_keys: { openai: openaiKeyA },
    });
    expect(listed.every((a) => a.org_id === h.a.orgId && a.status === 'active')).toBe(true);

    const one = await graphql(
      'query($id: ID!) { agent(id: $id) { id name policy_id api_key_prefix } }',
      h.a.tokens.read,
      { id: mine.id },
    );
    expect(one.json().data.agent).toEqual({
      id: mine.id,
      name: 'gql-visible',
      policy_id: policyA,
      api_key_prefix: mine.api_key_prefix,
    });

    const hidden = await graphql('query($id: ID!) { agent(id: $id) { id } }', h.a.tokens.read, { id: theirs.id });
    expect(hidden.json().errors[0]).toMatchObject({ message: 'Agent not found', extensions: { code: 'not_found' } });
    const malformed = await graphql('{ agent(id: "nope") { id } }', h.a.tokens.read);
    expect(malformed.json().errors[0].extensions.code).toBe('validation_error');

    const anonymous = await graphql('{ agents { id } }', null);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toEqual({ error: 'Authentication required' });
  });
});
