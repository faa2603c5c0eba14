import type { WebhookEventType } from '@rungate/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventRow, eventsDuring, seededTokenId } from './event-fixtures.ts';
import { createHarness, type Harness } from './harness.ts';

/**
 * Every admin-side change queues exactly one outbox event per change, in the org that changed,
 * with the object as the API shows it and never a secret. (Member events: members.test.ts.)
 */

let h: Harness;
let writeTokenId: string;
let adminTokenId: string;
let policyId: string;
beforeAll(async () => {
  h = await createHarness();
  writeTokenId = await seededTokenId(h, h.a, 'write');
  adminTokenId = await seededTokenId(h, h.a, 'admin');
  const policy = await h.request({
    method: 'POST',
    url: '/api/policies',
    token: h.a.tokens.write,
    body: { name: 'events-base' },
  });
  policyId = policy.json().data.id;
});
afterAll(() => h.close());

const PROVIDER_SECRET = 'sk-live-events-0123456789abcdefQRST';

async function call(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  body?: unknown,
  token = h.a.tokens.write,
) {
  const res = await h.request({ method, url, token, body });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}

/** The one event `act` queued; fails if it queued none, several, or one of another type. */
async function onlyEvent(type: WebhookEventType, act: () => Promise<unknown>): Promise<EventRow> {
  const added = await eventsDuring(h, act);
  expect(added.map((event) => event.type)).toEqual([type]);
  expect(added[0]!.orgId).toBe(h.a.orgId);
  return added[0]!;
}

const writeActor = () => ({ token_id: writeTokenId, member_id: null });

async function createAgent(name: string): Promise<{ id: string; api_key: string }> {
  return (await call('POST', '/api/agents', { name, policy_id: policyId })).data;
}

async function createKey(name: string): Promise<{ id: string }> {
  return (await call('POST', '/api/provider-keys', { provider: 'openai', name, api_key: PROVIDER_SECRET })).data;
}

describe('agent events', () => {
  it('agent.created carries the agent, its id as agent_id and the actor, never the key', async () => {
    let created: { id: string; api_key: string } | undefined;
    const event = await onlyEvent('agent.created', async () => {
      created = await createAgent('evt-created');
    });
    expect(event.agentId).toBe(created!.id);
    const { api_key, ...shown } = (await call('GET', `/api/agents/${created!.id}`)).data;
    expect(api_key).toBeUndefined();
    expect(event.data).toEqual({ agent: shown, actor: writeActor() });
    expect(JSON.stringify(event.data)).not.toContain(created!.api_key);
  });

  it('agent.updated names the changed fields; a write that changes nothing queues nothing', async () => {
    const agent = await createAgent('evt-updated');
    const event = await onlyEvent('agent.updated', () =>
      call('PUT', `/api/agents/${agent.id}`, { description: 'now described' }),
    );
    expect(event.agentId).toBe(agent.id);
    expect(event.data).toMatchObject({
      agent: { id: agent.id, description: 'now described', status: 'active' },
      changed_fields: ['description'],
      actor: writeActor(),
    });

    expect(
      await eventsDuring(h, () => call('PATCH', `/api/agents/${agent.id}`, { description: 'now described' })),
    ).toEqual([]);
  });

  it('disabling queues agent.disabled alone (not agent.updated too); re-enabling is agent.updated', async () => {
    const agent = await createAgent('evt-disabled');
    const disabled = await onlyEvent('agent.disabled', () =>
      call('PATCH', `/api/agents/${agent.id}`, { status: 'disabled', description: 'off' }),
    );
    expect(disabled.agentId).toBe(agent.id);
    expect(disabled.data).toMatchObject({
      agent: { id: agent.id, status: 'disabled' },
      changed_fields: expect.arrayContaining(['status', 'description']),
    });

    expect(await eventsDuring(h, () => call('PUT', `/api/agents/${agent.id}`, { status: 'disabled' }))).toEqual([]);
    const enabled = await onlyEvent('agent.updated', () =>
      call('PUT', `/api/agents/${agent.id}`, { status: 'active' }),
    );
    expect(enabled.data).toMatchObject({ agent: { status: 'active' }, changed_fields: ['status'] });
  });

  it('upsert by name queues agent.created, then agent.updated', async () => {
    const created = await onlyEvent('agent.created', () =>
      call('PUT', '/api/agents/by-name/evt-upsert', { policy_id: policyId }),
    );
    expect(created.data).toMatchObject({ agent: { name: 'evt-upsert' } });
    const updated = await onlyEvent('agent.updated', () =>
      call('PUT', '/api/agents/by-name/evt-upsert', { metadata: { team: 'x' } }),
    );
    expect(updated.agentId).toBe(created.agentId);
    expect(updated.data).toMatchObject({ agent: { metadata: { team: 'x' } }, changed_fields: ['metadata'] });
  });

  it('rotating the key is an agent.updated with the new prefix, never the new key', async () => {
    const agent = await createAgent('evt-rotate');
    let rotated: { api_key: string; api_key_prefix: string } | undefined;
    const event = await onlyEvent('agent.updated', async () => {
      rotated = (await call('POST', `/api/agents/${agent.id}/rotate-key`)).data;
    });
    expect(event.data).toMatchObject({
      agent: { id: agent.id, api_key_prefix: rotated!.api_key_prefix },
      changed_fields: ['api_key_prefix'],
    });
    expect(JSON.stringify(event.data)).not.toContain(rotated!.api_key);
  });

  it('a refused change queues nothing', async () => {
    const agent = await createAgent('evt-refused');
    const added = await eventsDuring(h, async () => {
      const res = await h.request({
        method: 'PUT',
        url: `/api/agents/${agent.id}`,
        token: h.a.tokens.write,
        body: { name: 'evt-created' },
      });
      expect(res.statusCode).toBe(409);
    });
    expect(added).toEqual([]);
  });
});

describe('policy events', () => {
  it('create queues policy.created and version 1 as policy.version_created', async () => {
    let id = '';
    const added = await eventsDuring(h, async () => {
      id = (await call('POST', '/api/policies', { name: 'evt-policy', dry_run: true })).data.id;
    });
    expect(added.map((event) => event.type)).toEqual(['policy.created', 'policy.version_created']);
    const [created, version] = added;
    const shown = (await call('GET', `/api/policies/${id}`)).data;
    expect(created!).toMatchObject({ orgId: h.a.orgId, agentId: null, data: { policy: shown, actor: writeActor() } });
    const stored = (await call('GET', `/api/policies/${id}/versions/1`)).data;
    expect(version!).toMatchObject({
      orgId: h.a.orgId,
      agentId: null,
      data: { policy_id: id, version: stored, actor: writeActor() },
    });
  });

  it('an update queues policy.updated and the new version; an update that changes nothing queues neither', async () => {
    const id = (await call('POST', '/api/policies', { name: 'evt-policy-update' })).data.id;
    const added = await eventsDuring(h, () => call('PUT', `/api/policies/${id}`, { budget: { hard_limit_usd: 5 } }));
    expect(added.map((event) => event.type)).toEqual(['policy.updated', 'policy.version_created']);
    expect(added[0]!.data).toMatchObject({ policy: { id, budget: { hard_limit_usd: 5 } }, changed_fields: ['budget'] });
    expect(added[1]!.data).toMatchObject({ policy_id: id, version: { version_number: 2, changed_fields: ['budget'] } });

    expect(await eventsDuring(h, () => call('PUT', `/api/policies/${id}`, { budget: { hard_limit_usd: 5 } }))).toEqual(
      [],
    );
    const upserted = await eventsDuring(h, () =>
      call('PUT', '/api/policies/by-name/evt-policy-update', { dry_run: true }),
    );
    expect(upserted.map((event) => event.type)).toEqual(['policy.updated', 'policy.version_created']);
  });

  it('delete queues policy.deleted and the deletion version', async () => {
    const id = (await call('POST', '/api/policies', { name: 'evt-policy-delete' })).data.id;
    const added = await eventsDuring(h, () => call('DELETE', `/api/policies/${id}`));
    expect(added.map((event) => event.type)).toEqual(['policy.deleted', 'policy.version_created']);
    expect(added[0]!.data).toMatchObject({ policy: { id, name: 'evt-policy-delete' }, actor: writeActor() });
    expect(added[1]!.data).toMatchObject({
      policy_id: id,
      version: { version_number: 2, changed_fields: ['_deleted'] },
    });
  });
});

describe('provider key events', () => {
  const noSecret = (event: EventRow) => expect(JSON.stringify(event.data)).not.toContain(PROVIDER_SECRET);

  it('provider_key.created shows the key masked', async () => {
    let id = '';
    const event = await onlyEvent('provider_key.created', async () => {
      id = (await createKey('evt-key')).id;
    });
    expect(event.agentId).toBeNull();
    expect(event.data).toEqual({
      provider_key: (await call('GET', `/api/provider-keys/${id}`)).data,
      actor: writeActor(),
    });
    expect(event.data).toMatchObject({ provider_key: { api_key: '...QRST' } });
    noSecret(event);
  });

  it('a new api_key is provider_key.rotated; a rename alone queues nothing', async () => {
    const key = await createKey('evt-key-rotate');
    expect(
      await eventsDuring(h, () => call('PUT', `/api/provider-keys/${key.id}`, { name: 'evt-key-renamed' })),
    ).toEqual([]);
    const fresh = 'sk-live-events-rotated-9876543210LMNO';
    const event = await onlyEvent('provider_key.rotated', () =>
      call('PUT', `/api/provider-keys/${key.id}`, { api_key: fresh }),
    );
    expect(event.data).toMatchObject({
      provider_key: { id: key.id, api_key: '...LMNO', rotated_at: expect.any(String) },
    });
    expect(JSON.stringify(event.data)).not.toContain(fresh);
    const upserted = await onlyEvent('provider_key.rotated', () =>
      call('PUT', '/api/provider-keys/by-name/evt-key-renamed', { api_key: PROVIDER_SECRET }),
    );
    noSecret(upserted);
  });

  it('disable and enable queue one event each, only when the status changes', async () => {
    const key = await createKey('evt-key-toggle');
    const disabled = await onlyEvent('provider_key.disabled', () =>
      call('POST', `/api/provider-keys/${key.id}/disable`),
    );
    expect(disabled.data).toMatchObject({ provider_key: { id: key.id, status: 'disabled' }, actor: writeActor() });
    expect(await eventsDuring(h, () => call('POST', `/api/provider-keys/${key.id}/disable`))).toEqual([]);
    const enabled = await onlyEvent('provider_key.enabled', () => call('POST', `/api/provider-keys/${key.id}/enable`));
    expect(enabled.data).toMatchObject({ provider_key: { id: key.id, status: 'active' } });
    expect(await eventsDuring(h, () => call('POST', `/api/provider-keys/${key.id}/enable`))).toEqual([]);
  });

  it('provider_key.deleted shows the scrubbed key; agents remapped by the delete each get agent.updated', async () => {
    const key = await createKey('evt-key-delete');
    const replacement = await createKey('evt-key-replacement');
    const agent = await createAgent('evt-remapped');
    await call('PUT', `/api/agents/${agent.id}`, { provider_keys: { openai: key.id } });

    const added = await eventsDuring(h, () =>
      call('DELETE', `/api/provider-keys/${key.id}?remap_to=${replacement.id}`),
    );
    expect(added.map((event) => event.type)).toEqual(['agent.updated', 'provider_key.deleted']);
    const [remapped, deleted] = added;
    expect(deleted!.data).toMatchObject({
      provider_key: { id: key.id, status: 'deleted', api_key: null },
      actor: writeActor(),
    });
    expect(remapped!.agentId).toBe(agent.id);
    expect(remapped!.data).toMatchObject({
      agent: { id: agent.id, provider_keys: { openai: replacement.id } },
      changed_fields: ['provider_keys'],
    });
    added.forEach(noSecret);

    expect(await eventsDuring(h, () => call('DELETE', `/api/provider-keys/${key.id}`))).toEqual([]);
  });
});

describe('admin token events', () => {
  it('admin_token.created and admin_token.revoked carry the token without its secret, once', async () => {
    let created: { data: { id: string }; token: string } | undefined;
    const event = await onlyEvent('admin_token.created', async () => {
      created = await call('POST', '/api/admin-tokens', { name: 'evt-token', scopes: ['read'] }, h.a.tokens.admin);
    });
    expect(event.data).toEqual({ admin_token: created!.data, actor: { token_id: adminTokenId, member_id: null } });
    expect(JSON.stringify(event.data)).not.toContain(created!.token);
    expect(JSON.stringify(event.data)).not.toContain('hash');

    const revoked = await onlyEvent('admin_token.revoked', () =>
      call('POST', `/api/admin-tokens/${created!.data.id}/revoke`, undefined, h.a.tokens.admin),
    );
    expect(revoked.data).toMatchObject({
      admin_token: { id: created!.data.id, status: 'revoked' },
      actor: { token_id: adminTokenId },
    });
    expect(
      await eventsDuring(h, () =>
        call('POST', `/api/admin-tokens/${created!.data.id}/revoke`, undefined, h.a.tokens.admin),
      ),
    ).toEqual([]);
  });
});

describe('registration', () => {
  it("queues the new org's first objects, by the system, without their secrets", async () => {
    let body: { account: { id: string }; admin_token: string; agent: { id: string; api_key: string } } | undefined;
    const added = await eventsDuring(h, async () => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/v1/register',
        payload: { name: 'Evented Inc' },
        remoteAddress: '10.7.7.7',
      });
      expect(res.statusCode).toBe(201);
      body = res.json().data;
    });
    expect(added.map((event) => event.type)).toEqual([
      'admin_token.created',
      'agent.created',
      'policy.created',
      'policy.version_created',
    ]);
    for (const event of added) {
      expect(event.orgId).toBe(body!.account.id);
      expect(event.data).toMatchObject({ actor: { token_id: null, member_id: null } });
      expect(JSON.stringify(event.data)).not.toContain(body!.admin_token);
      expect(JSON.stringify(event.data)).not.toContain(body!.agent.api_key);
    }
    expect(added[1]!.agentId).toBe(body!.agent.id);
  });
});
