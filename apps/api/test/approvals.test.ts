import { approvalRequests, events, type runs } from '@rungate/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, type Harness } from './harness.ts';
import { seedAgent, seedApproval, seedRun } from './run-fixtures.ts';

let h: Harness;
let T: Date;
const at = (minutes: number) => new Date(T.getTime() + minutes * 60_000);
const ids = (res: { json(): { data: { id: string }[] } }) => res.json().data.map((r) => r.id);

let runA1: typeof runs.$inferSelect;
let runA2: typeof runs.$inferSelect;
let runB: typeof runs.$inferSelect;
/** pending, pending-but-expired, approved, rejected (tenant a), pending (tenant b). */
let pending: typeof approvalRequests.$inferSelect;
let lapsed: typeof approvalRequests.$inferSelect;
let approved: typeof approvalRequests.$inferSelect;
let rejected: typeof approvalRequests.$inferSelect;
let theirs: typeof approvalRequests.$inferSelect;

beforeAll(async () => {
  h = await createHarness();
  T = h.clock.now();
  const db = h.services.deps.db;
  const ownerA1 = await seedAgent(db, h.a.orgId, 'approver-1');
  const ownerA2 = await seedAgent(db, h.a.orgId, 'approver-2');
  const ownerB = await seedAgent(db, h.b.orgId, 'approver-b');
  runA1 = await seedRun(db, ownerA1);
  runA2 = await seedRun(db, ownerA2);
  runB = await seedRun(db, ownerB);
  pending = await seedApproval(db, runA1, { toolName: 'deploy', createdAt: at(-4), expiresAt: at(60) });
  lapsed = await seedApproval(db, runA1, { toolName: 'shell', createdAt: at(-3), expiresAt: at(-1) });
  approved = await seedApproval(db, runA2, {
    toolName: 'deploy',
    createdAt: at(-2),
    expiresAt: at(60),
    status: 'approved',
    decidedBy: 'alice@example.com',
    decidedAt: at(-1),
  });
  rejected = await seedApproval(db, runA2, {
    toolName: 'rm',
    createdAt: at(-1),
    expiresAt: at(60),
    status: 'rejected',
    decidedBy: 'bob@example.com',
    decidedAt: at(-1),
    reason: 'too risky',
  });
  theirs = await seedApproval(db, runB, { createdAt: at(-1), expiresAt: at(60) });
});
afterAll(() => h.close());

const get = (url: string, token = h.a.tokens.read) => h.request({ method: 'GET', url, token });
const post = (url: string, token = h.a.tokens.write, body?: unknown) =>
  h.request({ method: 'POST', url, token, ...(body === undefined ? {} : { body }) });

describe('GET /api/approval-requests', () => {
  it('lists the tenant’s requests newest first, a lapsed pending one reported as expired', async () => {
    const res = await get('/api/approval-requests');
    expect(res.statusCode).toBe(200);
    expect(ids(res)).toEqual([rejected.id, approved.id, lapsed.id, pending.id]);
    expect(res.json().total).toBe(4);
    expect(res.json().data[3]).toEqual({
      id: pending.id,
      run_id: runA1.id,
      step_id: null,
      agent_id: runA1.agentId,
      org_id: h.a.orgId,
      policy_id: runA1.policyId,
      tool_name: 'deploy',
      request_snapshot: { model: 'gpt-4o' },
      status: 'pending',
      decided_by: null,
      reason: null,
      decided_at: null,
      expires_at: at(60).toISOString(),
      created_at: at(-4).toISOString(),
    });
    expect(res.json().data[2].status).toBe('expired');
    expect(res.json().data[0]).toMatchObject({
      status: 'rejected',
      reason: 'too risky',
      decided_by: 'bob@example.com',
    });
  });

  it('filters by status, run and agent', async () => {
    const cases: [string, string[]][] = [
      ['status=pending', [pending.id]],
      ['status=expired', [lapsed.id]],
      ['status=approved', [approved.id]],
      ['status=rejected', [rejected.id]],
      [`run_id=${runA1.id}`, [lapsed.id, pending.id]],
      [`agent_id=${runA2.agentId}`, [rejected.id, approved.id]],
      [`agent_id=${runA2.agentId}&status=approved`, [approved.id]],
      [`run_id=${runB.id}`, []],
      [`agent_id=${runB.agentId}`, []],
    ];
    for (const [query, expected] of cases) {
      const res = await get(`/api/approval-requests?${query}`);
      expect(res.statusCode, query).toBe(200);
      expect(ids(res), query).toEqual(expected);
      expect(res.json().total, query).toBe(expected.length);
    }
  });

  it('answers 400 with field details for bad filters and 401 without credentials', async () => {
    for (const [query, field] of [
      ['status=maybe', 'status'],
      ['run_id=42', 'run_id'],
      ['agent_id=abc', 'agent_id'],
    ]) {
      const res = await get(`/api/approval-requests?${query}`);
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error.type).toBe('validation_error');
      expect(res.json().error.fields, query).toHaveProperty(field!);
    }
    const anonymous = await h.request({ method: 'GET', url: '/api/approval-requests' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toEqual({ error: 'Authentication required' });
  });
});

describe('GET /api/approval-requests/{id}', () => {
  it('returns the request; 404 across tenants; 400 for a malformed id', async () => {
    const res = await get(`/api/approval-requests/${approved.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({ id: approved.id, status: 'approved', decided_at: at(-1).toISOString() });
    const cross = await get(`/api/approval-requests/${theirs.id}`);
    expect(cross.statusCode).toBe(404);
    expect(cross.json()).toEqual({ error: { type: 'not_found', message: 'Approval request not found' } });
    expect((await get('/api/approval-requests/not-an-id')).statusCode).toBe(400);
  });

  it('reports a pending request as expired once its expiry passes', async () => {
    const db = h.services.deps.db;
    const soon = await seedApproval(db, runA1, { toolName: 'email', createdAt: at(-1), expiresAt: at(1) });
    expect((await get(`/api/approval-requests/${soon.id}`)).json().data.status).toBe('pending');
    h.clock.advance(60_000);
    expect((await get(`/api/approval-requests/${soon.id}`)).json().data.status).toBe('expired');
    const approve = await post(`/api/approval-requests/${soon.id}/approve`);
    expect(approve.statusCode).toBe(409);
    expect(approve.json()).toEqual({ error: { type: 'conflict', message: 'Approval request has expired' } });
    h.clock.advance(-60_000);
  });
});

describe('deciding', () => {
  it('approves a pending request once, recording who decided', async () => {
    const db = h.services.deps.db;
    const request = await seedApproval(db, runA1, { toolName: 'deploy-prod', createdAt: at(0), expiresAt: at(30) });
    expect((await post(`/api/approval-requests/${request.id}/approve`, h.a.tokens.read)).statusCode).toBe(403);
    expect((await post(`/api/approval-requests/${request.id}/approve`, h.b.tokens.write)).statusCode).toBe(404);

    const res = await post(`/api/approval-requests/${request.id}/approve`);
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      id: request.id,
      status: 'approved',
      decided_at: T.toISOString(),
      reason: null,
    });
    expect(res.json().data.decided_by).toMatch(/^token:/);
    const [row] = await db.select().from(approvalRequests).where(eq(approvalRequests.id, request.id));
    expect(row).toMatchObject({ status: 'approved', decidedAt: T });

    const again = await post(`/api/approval-requests/${request.id}/approve`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: { type: 'conflict', message: 'Approval request is already approved' } });
    const reject = await post(`/api/approval-requests/${request.id}/reject`);
    expect(reject.statusCode).toBe(409);

    const queued = await db.select().from(events).where(eq(events.type, 'approval.approved'));
    expect(queued.map((e) => (e.data.approval_request as { id: string }).id)).toContain(request.id);
  });

  it('rejects with or without a reason; a decided or expired request cannot be rejected', async () => {
    const db = h.services.deps.db;
    const withReason = await seedApproval(db, runA2, { toolName: 'transfer', createdAt: at(0), expiresAt: at(30) });
    const res = await post(`/api/approval-requests/${withReason.id}/reject`, h.a.tokens.write, {
      reason: 'not during the freeze',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().data).toMatchObject({
      status: 'rejected',
      reason: 'not during the freeze',
      decided_at: T.toISOString(),
    });

    const bare = await seedApproval(db, runA2, { toolName: 'transfer-2', createdAt: at(0), expiresAt: at(30) });
    const noBody = await post(`/api/approval-requests/${bare.id}/reject`);
    expect(noBody.statusCode).toBe(200);
    expect(noBody.json().data).toMatchObject({ status: 'rejected', reason: null });

    expect((await post(`/api/approval-requests/${withReason.id}/reject`)).statusCode).toBe(409);
    expect((await post(`/api/approval-requests/${approved.id}/reject`)).json()).toEqual({
      error: { type: 'conflict', message: 'Approval request is already approved' },
    });
    expect((await post(`/api/approval-requests/${lapsed.id}/reject`)).json()).toEqual({
      error: { type: 'conflict', message: 'Approval request has expired' },
    });
    expect((await post(`/api/approval-requests/${lapsed.id}/approve`)).statusCode).toBe(409);
    expect((await post(`/api/approval-requests/${pending.id}/reject`, h.a.tokens.read)).statusCode).toBe(403);
    expect((await post(`/api/approval-requests/${theirs.id}/reject`)).statusCode).toBe(404);
    const long = await post(`/api/approval-requests/${pending.id}/reject`, h.a.tokens.write, {
      reason: 'x'.repeat(1025),
    });
    expect(long.statusCode).toBe(400);
    expect(long.json().error.fields).toHaveProperty('reason');
    expect((await get(`/api/approval-requests/${pending.id}`)).json().data.status).toBe('pending');
  });
});

describe('tRPC', () => {
  const trpc = (path: string, token: string, input?: unknown) =>
    h.request({
      method: 'GET',
      url: `/trpc/${path}${input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`}`,
      token,
    });
  const mutate = (path: string, token: string, input: unknown) =>
    h.request({ method: 'POST', url: `/trpc/${path}`, token, body: input });

  it('lists, gets and decides through the same service', async () => {
    const list = await trpc('approvals.list', h.a.tokens.read, { status: 'pending', run_id: runA1.id });
    const listed: { id: string; status: string; run_id: string }[] = list.json().result.data.data;
    expect(listed.map((r) => r.id)).toContain(pending.id);
    expect(listed.every((r) => r.status === 'pending' && r.run_id === runA1.id)).toBe(true);
    expect((await trpc('approvals.list', h.a.tokens.read)).statusCode).toBe(200);
    expect((await trpc('approvals.get', h.a.tokens.read, { id: theirs.id })).statusCode).toBe(404);
    expect((await mutate('approvals.approve', h.a.tokens.read, { id: pending.id })).statusCode).toBe(403);
    const decided = await mutate('approvals.reject', h.a.tokens.write, { id: pending.id, reason: 'no' });
    expect(decided.json().result.data).toMatchObject({ status: 'rejected', reason: 'no' });
    expect((await mutate('approvals.approve', h.a.tokens.write, { id: pending.id })).statusCode).toBe(409);
  });
});
