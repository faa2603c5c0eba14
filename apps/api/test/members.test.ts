import { randomBytes } from 'node:crypto';
import { agents, alertRules, members, policies, sessions, webhooks } from '@rungate/db';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsDuring } from './event-fixtures.ts';
import { createHarness, type Harness } from './harness.ts';
import { addMember } from './member-fixtures.ts';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(() => h.close());

/** A fresh org with an owner and an admin token, so ownership tests do not share state. */
async function newOrg() {
  const db = h.services.deps.db;
  const account = await h.services.accounts.insert(db, { name: 'Org', slug: `org-${randomBytes(4).toString('hex')}` });
  const issued = await h.services.adminTokens.issue(db, account.id, { name: 'admin', scopes: ['admin'] }, 'test');
  const owner = await addMember(h, account.id, 'owner');
  return { orgId: account.id, adminToken: issued.secret, adminTokenId: issued.token.id, owner };
}

const as = (cookie: string) => ({ cookie });

async function memberRow(id: string) {
  return (await h.services.deps.db.select().from(members).where(eq(members.id, id)))[0]!;
}

describe('GET /api/members', () => {
  it("lists the org's current members to any member, not other orgs' or removed ones", async () => {
    const org = await newOrg();
    const viewer = await addMember(h, org.orgId, 'viewer');
    const gone = await addMember(h, org.orgId, 'member');
    await h.services.deps.db.update(members).set({ status: 'removed' }).where(eq(members.id, gone.member.id));
    await addMember(h, h.b.orgId, 'admin');

    const res = await h.request({ method: 'GET', url: '/api/members', headers: as(viewer.cookie) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(2);
    expect(body.data.map((m: { id: string }) => m.id).sort()).toEqual([org.owner.member.id, viewer.member.id].sort());
    expect(body.data.find((m: { id: string }) => m.id === viewer.member.id)).toEqual({
      id: viewer.member.id,
      org_id: org.orgId,
      email: viewer.member.email,
      display_name: 'viewer',
      role: 'viewer',
      status: 'active',
      invited_by: null,
      accepted_at: null,
      created_at: viewer.member.createdAt.toISOString(),
      updated_at: viewer.member.updatedAt.toISOString(),
    });

    const viaToken = await h.request({ method: 'GET', url: '/api/members', token: org.adminToken });
    expect(viaToken.json().total).toBe(2);
    expect((await h.request({ method: 'GET', url: '/api/members' })).statusCode).toBe(401);
  });
});

describe('PATCH /api/members/{id}', () => {
  it('lets an admin change a role, queueing member.role_changed with the previous role', async () => {
    const org = await newOrg();
    const admin = await addMember(h, org.orgId, 'admin');
    const target = await addMember(h, org.orgId, 'viewer');
    let res: Awaited<ReturnType<Harness['request']>> | undefined;
    const added = await eventsDuring(h, async () => {
      res = await h.request({
        method: 'PATCH',
        url: `/api/members/${target.member.id}`,
        headers: as(admin.cookie),
        body: { role: 'member', display_name: 'Promoted' },
      });
    });
    expect(res!.statusCode).toBe(200);
    expect(res!.json().data).toMatchObject({
      id: target.member.id,
      role: 'member',
      display_name: 'Promoted',
      status: 'active',
    });
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      type: 'member.role_changed',
      orgId: org.orgId,
      agentId: null,
      data: {
        member: res!.json().data,
        previous_role: 'viewer',
        actor: { token_id: null, member_id: admin.member.id },
      },
    });

    // The new role applies to the member's next request.
    expect(
      (await h.request({ method: 'PUT', url: '/api/account', headers: as(target.cookie), body: { name: 'Org' } }))
        .statusCode,
    ).toBe(200);
  });

  it('queues nothing for a display name alone, or for the role the member already has', async () => {
    const org = await newOrg();
    const target = await addMember(h, org.orgId, 'member');
    const added = await eventsDuring(h, async () => {
      const renamed = await h.request({
        method: 'PATCH',
        url: `/api/members/${target.member.id}`,
        token: org.adminToken,
        body: { display_name: 'Renamed' },
      });
      expect(renamed.json().data.display_name).toBe('Renamed');
      const same = await h.request({
        method: 'PATCH',
        url: `/api/members/${target.member.id}`,
        token: org.adminToken,
        body: { role: 'member' },
      });
      expect(same.statusCode).toBe(200);
    });
    expect(added).toEqual([]);
  });

  it("refuses to change the owner's role (400) but lets an admin rename the owner", async () => {
    const org = await newOrg();
    const admin = await addMember(h, org.orgId, 'admin');
    const demote = await h.request({
      method: 'PATCH',
      url: `/api/members/${org.owner.member.id}`,
      headers: as(admin.cookie),
      body: { role: 'admin' },
    });
    expect(demote.statusCode).toBe(400);
    expect(demote.json()).toMatchObject({ error: { type: 'validation_error', fields: { role: expect.any(String) } } });
    const selfDemote = await h.request({
      method: 'PATCH',
      url: `/api/members/${org.owner.member.id}`,
      headers: as(org.owner.cookie),
      body: { role: 'viewer' },
    });
    expect(selfDemote.statusCode).toBe(400);
    expect((await memberRow(org.owner.member.id)).role).toBe('owner');

    const promote = await h.request({
      method: 'PATCH',
      url: `/api/members/${admin.member.id}`,
      headers: as(org.owner.cookie),
      body: { role: 'owner' },
    });
    expect(promote.statusCode).toBe(400);
    expect(promote.json().error.fields).toHaveProperty('role');

    const rename = await h.request({
      method: 'PATCH',
      url: `/api/members/${org.owner.member.id}`,
      headers: as(admin.cookie),
      body: { display_name: 'The Boss' },
    });
    expect(rename.statusCode).toBe(200);
    expect(rename.json().data).toMatchObject({ role: 'owner', display_name: 'The Boss' });
  });

  it('needs an owner or admin: members, viewers and write tokens get 403', async () => {
    const org = await newOrg();
    const target = await addMember(h, org.orgId, 'viewer');
    for (const role of ['member', 'viewer'] as const) {
      const caller = await addMember(h, org.orgId, role);
      const res = await h.request({
        method: 'PATCH',
        url: `/api/members/${target.member.id}`,
        headers: as(caller.cookie),
        body: { role: 'admin' },
      });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ error: { type: 'forbidden' } });
    }
    const viaWrite = await h.request({
      method: 'PATCH',
      url: `/api/members/${target.member.id}`,
      token: h.a.tokens.write,
      body: { role: 'admin' },
    });
    expect(viaWrite.statusCode).toBe(403);
    expect((await memberRow(target.member.id)).role).toBe('viewer');
  });

  it("answers 404 for another org's member and for an unknown id", async () => {
    const org = await newOrg();
    const foreign = await addMember(h, h.b.orgId, 'member');
    for (const id of [foreign.member.id, '00000000-0000-4000-8000-000000000000']) {
      const res = await h.request({
        method: 'PATCH',
        url: `/api/members/${id}`,
        headers: as(org.owner.cookie),
        body: { role: 'viewer' },
      });
      expect(res.statusCode).toBe(404);
      expect(res.json()).toMatchObject({ error: { type: 'not_found' } });
    }
    expect((await memberRow(foreign.member.id)).role).toBe('member');
  });
});

describe('DELETE /api/members/{id}', () => {
  it("hands the member's agents and personal policies to the caller, deletes personal webhooks and rules, revokes sessions", async () => {
    const db = h.services.deps.db;
    const org = await newOrg();
    const admin = await addMember(h, org.orgId, 'admin');
    const leaver = await addMember(h, org.orgId, 'member');
    const [personal, shared] = await db
      .insert(policies)
      .values([
        { orgId: org.orgId, name: 'mine', visibility: 'personal', memberId: leaver.member.id },
        { orgId: org.orgId, name: 'shared', visibility: 'org', memberId: leaver.member.id },
      ])
      .returning();
    const owned = await db
      .insert(agents)
      .values(
        ['a1', 'a2'].map((name) => ({
          orgId: org.orgId,
          name,
          apiKeyHash: randomBytes(8).toString('hex'),
          apiKeyPrefix: 'rg_sk_x',
          policyId: shared!.id,
          memberId: leaver.member.id,
        })),
      )
      .returning();
    const hook = {
      orgId: org.orgId,
      url: 'https://example.com/hook',
      secretEncrypted: 'x',
      events: ['run.completed'],
      memberId: leaver.member.id,
    };
    await db.insert(webhooks).values([
      { ...hook, name: 'personal-hook', scope: 'personal' },
      { ...hook, name: 'org-hook', scope: 'org' },
    ]);
    await db.insert(alertRules).values({
      orgId: org.orgId,
      name: 'personal-rule',
      conditionType: 'cost_threshold',
      scope: 'personal',
      memberId: leaver.member.id,
    });

    let res: Awaited<ReturnType<Harness['request']>> | undefined;
    const added = await eventsDuring(h, async () => {
      res = await h.request({ method: 'DELETE', url: `/api/members/${leaver.member.id}`, headers: as(admin.cookie) });
    });
    expect(res!.statusCode).toBe(200);
    expect(res!.json()).toEqual({
      data: {
        message: 'Member removed',
        agents_reassigned: 2,
        policies_reassigned: 1,
        webhooks_deleted: 1,
        alert_rules_deleted: 1,
      },
    });

    expect(
      (
        await db
          .select()
          .from(agents)
          .where(
            inArray(
              agents.id,
              owned.map((a) => a.id),
            ),
          )
      ).map((a) => a.memberId),
    ).toEqual([admin.member.id, admin.member.id]);
    const [personalAfter, sharedAfter] = await Promise.all(
      [personal!, shared!].map(async (p) => (await db.select().from(policies).where(eq(policies.id, p.id)))[0]!),
    );
    expect(personalAfter!.memberId).toBe(admin.member.id);
    expect(sharedAfter!.memberId).toBe(leaver.member.id);
    expect((await db.select().from(webhooks).where(eq(webhooks.orgId, org.orgId))).map((w) => w.name)).toEqual([
      'org-hook',
    ]);
    expect(await db.select().from(alertRules).where(eq(alertRules.orgId, org.orgId))).toEqual([]);
    expect(
      (await db.select().from(sessions).where(eq(sessions.memberId, leaver.member.id)))[0]!.revokedAt,
    ).not.toBeNull();
    expect((await h.request({ method: 'GET', url: '/api/members', headers: as(leaver.cookie) })).statusCode).toBe(401);
    expect((await memberRow(leaver.member.id)).status).toBe('removed');

    expect(added.map((e) => e.type)).toEqual(['agent.updated', 'agent.updated', 'member.removed', 'policy.updated']);
    const removed = added.find((e) => e.type === 'member.removed')!;
    expect(removed).toMatchObject({
      orgId: org.orgId,
      agentId: null,
      data: {
        member: { id: leaver.member.id, status: 'removed', role: 'member' },
        reassigned_to: admin.member.id,
        agents_reassigned: 2,
        policies_reassigned: 1,
        webhooks_deleted: 1,
        alert_rules_deleted: 1,
        actor: { token_id: null, member_id: admin.member.id },
      },
    });
    expect(
      added
        .filter((e) => e.type === 'agent.updated')
        .map((e) => e.agentId)
        .sort(),
    ).toEqual(owned.map((a) => a.id).sort());
    expect(added.find((e) => e.type === 'agent.updated')!.data).toMatchObject({
      agent: { member_id: admin.member.id },
      changed_fields: ['member_id'],
    });
    expect(added.find((e) => e.type === 'policy.updated')!.data).toMatchObject({
      policy: { id: personal!.id, member_id: admin.member.id },
      changed_fields: ['member_id'],
    });

    const again = await h.request({
      method: 'DELETE',
      url: `/api/members/${leaver.member.id}`,
      headers: as(admin.cookie),
    });
    expect(again.statusCode).toBe(404);
    const patchGone = await h.request({
      method: 'PATCH',
      url: `/api/members/${leaver.member.id}`,
      headers: as(admin.cookie),
      body: { role: 'viewer' },
    });
    expect(patchGone.statusCode).toBe(404);
  });

  it('hands belongings to the owner when a token removes the member, or when an admin removes themself', async () => {
    const db = h.services.deps.db;
    const org = await newOrg();
    const [policy] = await db.insert(policies).values({ orgId: org.orgId, name: 'p' }).returning();
    for (const byToken of [true, false]) {
      const leaver = await addMember(h, org.orgId, 'admin');
      const [agent] = await db
        .insert(agents)
        .values({
          orgId: org.orgId,
          name: `agent-${byToken}`,
          apiKeyHash: randomBytes(8).toString('hex'),
          apiKeyPrefix: 'rg_sk_x',
          policyId: policy!.id,
          memberId: leaver.member.id,
        })
        .returning();
      const res = await h.request({
        method: 'DELETE',
        url: `/api/members/${leaver.member.id}`,
        ...(byToken ? { token: org.adminToken } : { headers: as(leaver.cookie) }),
      });
      expect(res.statusCode).toBe(200);
      expect(res.json().data.agents_reassigned).toBe(1);
      expect((await db.select().from(agents).where(eq(agents.id, agent!.id)))[0]!.memberId).toBe(org.owner.member.id);
    }
  });

  it('refuses to remove the owner (409), even by themself', async () => {
    const org = await newOrg();
    const admin = await addMember(h, org.orgId, 'admin');
    for (const headers of [as(admin.cookie), as(org.owner.cookie)]) {
      const res = await h.request({ method: 'DELETE', url: `/api/members/${org.owner.member.id}`, headers });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ error: { type: 'conflict' } });
    }
    expect((await memberRow(org.owner.member.id)).status).toBe('active');
  });

  it("needs an owner or admin, and answers 404 for another org's member", async () => {
    const org = await newOrg();
    const target = await addMember(h, org.orgId, 'viewer');
    const member = await addMember(h, org.orgId, 'member');
    const denied = await h.request({
      method: 'DELETE',
      url: `/api/members/${target.member.id}`,
      headers: as(member.cookie),
    });
    expect(denied.statusCode).toBe(403);
    expect(
      (await h.request({ method: 'DELETE', url: `/api/members/${target.member.id}`, token: h.a.tokens.write }))
        .statusCode,
    ).toBe(403);
    const foreign = await h.request({
      method: 'DELETE',
      url: `/api/members/${target.member.id}`,
      token: h.a.tokens.admin,
    });
    expect(foreign.statusCode).toBe(404);
    expect((await memberRow(target.member.id)).status).toBe('active');
  });
});

describe('PATCH /api/members/{id}/transfer-ownership', () => {
  it('makes the member the owner and the owner an admin, with one member.ownership_transferred', async () => {
    const org = await newOrg();
    const heir = await addMember(h, org.orgId, 'member');
    let res: Awaited<ReturnType<Harness['request']>> | undefined;
    const added = await eventsDuring(h, async () => {
      res = await h.request({
        method: 'PATCH',
        url: `/api/members/${heir.member.id}/transfer-ownership`,
        headers: as(org.owner.cookie),
      });
    });
    expect(res!.statusCode).toBe(200);
    expect(res!.json()).toEqual({ data: { message: expect.stringContaining(heir.member.email) } });
    expect((await memberRow(heir.member.id)).role).toBe('owner');
    expect((await memberRow(org.owner.member.id)).role).toBe('admin');
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({
      type: 'member.ownership_transferred',
      orgId: org.orgId,
      data: {
        member: { id: heir.member.id, role: 'owner' },
        previous_owner: { id: org.owner.member.id, role: 'admin' },
        actor: { token_id: null, member_id: org.owner.member.id },
      },
    });

    // The former owner no longer can; the new one can hand it back.
    const stale = await h.request({
      method: 'PATCH',
      url: `/api/members/${heir.member.id}/transfer-ownership`,
      headers: as(org.owner.cookie),
    });
    expect(stale.statusCode).toBe(403);
    const back = await h.request({
      method: 'PATCH',
      url: `/api/members/${org.owner.member.id}/transfer-ownership`,
      headers: as(heir.cookie),
    });
    expect(back.statusCode).toBe(200);
    expect((await memberRow(org.owner.member.id)).role).toBe('owner');
  });

  it('only the owner may transfer: admins and admin tokens get 403', async () => {
    const org = await newOrg();
    const admin = await addMember(h, org.orgId, 'admin');
    const viaAdmin = await h.request({
      method: 'PATCH',
      url: `/api/members/${admin.member.id}/transfer-ownership`,
      headers: as(admin.cookie),
    });
    expect(viaAdmin.statusCode).toBe(403);
    expect(viaAdmin.json()).toMatchObject({ error: { type: 'forbidden' } });
    const viaToken = await h.request({
      method: 'PATCH',
      url: `/api/members/${admin.member.id}/transfer-ownership`,
      token: org.adminToken,
    });
    expect(viaToken.statusCode).toBe(403);
    expect((await memberRow(org.owner.member.id)).role).toBe('owner');
  });

  it('refuses the owner themself and a suspended member (400), and another org’s member (404)', async () => {
    const org = await newOrg();
    const self = await h.request({
      method: 'PATCH',
      url: `/api/members/${org.owner.member.id}/transfer-ownership`,
      headers: as(org.owner.cookie),
    });
    expect(self.statusCode).toBe(400);
    expect(self.json()).toMatchObject({ error: { type: 'validation_error' } });

    const suspended = await addMember(h, org.orgId, 'admin');
    await h.services.deps.db.update(members).set({ status: 'suspended' }).where(eq(members.id, suspended.member.id));
    expect(
      (
        await h.request({
          method: 'PATCH',
          url: `/api/members/${suspended.member.id}/transfer-ownership`,
          headers: as(org.owner.cookie),
        })
      ).statusCode,
    ).toBe(400);

    const foreign = await addMember(h, h.b.orgId, 'admin');
    const cross = await h.request({
      method: 'PATCH',
      url: `/api/members/${foreign.member.id}/transfer-ownership`,
      headers: as(org.owner.cookie),
    });
    expect(cross.statusCode).toBe(404);
    expect((await memberRow(org.owner.member.id)).role).toBe('owner');
    expect((await memberRow(foreign.member.id)).role).toBe('admin');
  });
});

describe('over tRPC and GraphQL', () => {
  it('lists members and changes roles with the same rules', async () => {
    const org = await newOrg();
    const target = await addMember(h, org.orgId, 'viewer');
    const listed = await h.request({ method: 'GET', url: '/trpc/members.list', headers: as(target.cookie) });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().result.data).toHaveLength(2);

    const denied = await h.request({
      method: 'POST',
      url: '/trpc/members.update',
      headers: as(target.cookie),
      body: { id: target.member.id, role: 'admin' },
    });
    expect(denied.statusCode).toBe(403);
    const ok = await h.request({
      method: 'POST',
      url: '/trpc/members.update',
      headers: as(org.owner.cookie),
      body: { id: target.member.id, role: 'member' },
    });
    expect(ok.json().result.data).toMatchObject({ id: target.member.id, role: 'member' });
    const owner = await h.request({
      method: 'POST',
      url: '/trpc/members.update',
      headers: as(org.owner.cookie),
      body: { id: org.owner.member.id, role: 'admin' },
    });
    expect(owner.statusCode).toBe(400);

    const gql = await h.request({
      method: 'POST',
      url: '/graphql',
      headers: as(target.cookie),
      body: { query: '{ members { id role status } }' },
    });
    expect(gql.json().data.members).toEqual(
      expect.arrayContaining([
        { id: org.owner.member.id, role: 'owner', status: 'active' },
        { id: target.member.id, role: 'member', status: 'active' },
      ]),
    );
  });
});
