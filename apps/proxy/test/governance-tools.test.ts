import type Anthropic from '@anthropic-ai/sdk';
import { approvalRequests } from '@rungate/db';
import { ManualClock } from '@rungate/governance';
import { eq } from 'drizzle-orm';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contextOf,
  expectBlockedStep,
  refused,
  runOf,
  scenario,
  stepsOf,
  USER,
  upstreamSince,
} from './support/governance.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';

let h: ProxyHarness;
let clock: ManualClock;

beforeAll(async () => {
  clock = new ManualClock(new Date());
  h = await createProxyHarness({ clock });
});
afterAll(() => h?.close());

const openaiTool = (name: string): OpenAI.ChatCompletionTool => ({
  type: 'function',
  function: {
    name,
    description: `The ${name} tool`,
    parameters: { type: 'object', properties: { query: { type: 'string' } } },
  },
});
const anthropicTool = (name: string): Anthropic.Tool => ({
  name,
  description: `The ${name} tool`,
  input_schema: { type: 'object', properties: { query: { type: 'string' } } },
});

/** A conversation in which the assistant already called `name` and got its result. */
const openaiConversationUsing = (name: string): OpenAI.ChatCompletionMessageParam[] => [
  { role: 'user', content: 'look it up' },
  {
    role: 'assistant',
    content: null,
    tool_calls: [{ id: 'call_1', type: 'function', function: { name, arguments: '{"query":"x"}' } }],
  },
  { role: 'tool', tool_call_id: 'call_1', content: 'result' },
];
const anthropicConversationUsing = (name: string): Anthropic.MessageParam[] => [
  { role: 'user', content: 'look it up' },
  { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name, input: { query: 'x' } }] },
  { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'result' }] },
];

describe('blocked_tools', () => {
  it('refuses a call offering a blocked tool (exact or glob) with 403 tool_blocked, and lets other tools through', async () => {
    const s = await scenario(h, { blocked_tools: ['bash', 'fs_*'] });

    const ok = await s.openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: USER, tools: [openaiTool('web_search')] })
      .withResponse();
    expect(ok.data.choices[0]!.message.tool_calls?.[0]).toMatchObject({ function: { name: 'web_search' } });
    const runId = ok.response.headers.get('x-rungate-run-id')!;

    const from = h.fake.requests.length;
    const blocked = await refused(
      s.openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: USER,
        tools: [openaiTool('web_search'), openaiTool('bash'), openaiTool('fs_write')],
      }),
    );
    expect(blocked.status).toBe(403);
    expect(blocked.body).toEqual({
      error: {
        type: 'governance_block',
        code: 'tool_blocked',
        message: "Tools 'bash', 'fs_write' are blocked by this policy (blocked_tools)",
        run_id: runId,
        details: { tools: ['bash', 'fs_write'], rule: 'blocked_tools' },
        context: contextOf(s, { steps: 1, cost: 0.000009, tokens: 30 }),
      },
    });
    await expectBlockedStep(h, runId, 'policy_blocked', 'tool_blocked');

    const anthropic = await refused(
      s.anthropic.messages.create({
        model: 'claude-3-5-haiku-latest',
        max_tokens: 100,
        messages: USER,
        tools: [anthropicTool('fs_read')],
      }),
    );
    expect(anthropic.status).toBe(403);
    expect(anthropic.body.error).toMatchObject({
      code: 'tool_blocked',
      run_id: runId,
      details: { tools: ['fs_read'], rule: 'blocked_tools' },
    });
    expect(upstreamSince(h, from)).toEqual([]);
  });

  it('refuses a conversation whose tool calls name a blocked tool, even when the call offers no tools, in both formats', async () => {
    const s = await scenario(h, { blocked_tools: ['bash'] });
    const from = h.fake.requests.length;

    const openai = await refused(
      s.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: openaiConversationUsing('bash') }),
    );
    expect(openai.status).toBe(403);
    expect(openai.body.error).toMatchObject({
      type: 'governance_block',
      code: 'tool_blocked',
      details: { tools: ['bash'], rule: 'blocked_tools' },
    });
    const runId = openai.body.error.run_id as string;
    await expectBlockedStep(h, runId, 'policy_blocked', 'tool_blocked');

    const anthropic = await refused(
      s.anthropic.messages.create({
        model: 'claude-3-5-haiku-latest',
        max_tokens: 100,
        messages: anthropicConversationUsing('bash'),
      }),
    );
    expect(anthropic.status).toBe(403);
    expect(anthropic.body.error).toMatchObject({ code: 'tool_blocked', run_id: runId, details: { tools: ['bash'] } });
    expect(upstreamSince(h, from)).toEqual([]);

    const fine = await s.anthropic.messages.create({
      model: 'claude-3-5-haiku-latest',
      max_tokens: 100,
      messages: anthropicConversationUsing('web_search'),
    });
    expect(fine.stop_reason).toBe('end_turn');
  });
});

describe('allowed_tools', () => {
  it('lets only the listed tools through, offered or used, and names every other tool in one 403', async () => {
    const s = await scenario(h, { allowed_tools: ['web_*', 'read_file'] });
    const ok = await s.anthropic.messages.create({
      model: 'claude-3-5-haiku-latest',
      max_tokens: 100,
      messages: USER,
      tools: [anthropicTool('web_search'), anthropicTool('read_file')],
    });
    expect(ok.stop_reason).toBe('tool_use');

    const offered = await refused(
      s.openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: USER,
        tools: [openaiTool('web_fetch'), openaiTool('delete_file'), openaiTool('send_email')],
      }),
    );
    expect(offered.status).toBe(403);
    expect(offered.body.error).toMatchObject({
      code: 'tool_blocked',
      message: "Tools 'delete_file', 'send_email' are not in this policy's allowed_tools",
      details: { tools: ['delete_file', 'send_email'], rule: 'allowed_tools', allowed_tools: ['web_*', 'read_file'] },
    });
    await expectBlockedStep(h, offered.body.error.run_id as string, 'policy_blocked', 'tool_blocked');

    const used = await refused(
      s.openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: openaiConversationUsing('delete_file'),
        tools: [openaiTool('web_search')],
      }),
    );
    expect(used.status).toBe(403);
    expect(used.body.error.details).toEqual({
      tools: ['delete_file'],
      rule: 'allowed_tools',
      allowed_tools: ['web_*', 'read_file'],
    });
  });
});

describe('require_approval', () => {
  const approvalsOf = (runId: string) =>
    h.services.deps.db.select().from(approvalRequests).where(eq(approvalRequests.runId, runId));

  it('answers 202 with one request per tool, reuses pending requests on retry, and lets the same call through once approved', async () => {
    const s = await scenario(h, { require_approval: ['send_*'] });
    const tools = [openaiTool('web_search'), openaiTool('send_email'), openaiTool('send_sms')];
    const from = h.fake.requests.length;

    const first = await s.openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: USER, tools })
      .withResponse();
    expect(first.response.status).toBe(202);
    const pending = first.data as unknown as {
      status: string;
      run_id: string;
      approval_requests: { id: string; tool: string }[];
      message: string;
    };
    const runId = pending.run_id;
    expect(first.response.headers.get('x-rungate-run-id')).toBe(runId);
    expect(pending).toEqual({
      status: 'awaiting_approval',
      run_id: runId,
      approval_requests: [
        { id: expect.any(String), tool: 'send_email' },
        { id: expect.any(String), tool: 'send_sms' },
      ],
      message: `Tool use needs approval (send_email, send_sms). Retry with x-rungate-run-id: ${runId} once decided.`,
    });
    const rows = await approvalsOf(runId);
    expect(rows.map((r) => [r.id, r.toolName, r.status, r.agentId, r.policyId]).sort()).toEqual(
      pending.approval_requests.map((r) => [r.id, r.tool, 'pending', s.agent.id, s.policy.id]).sort(),
    );
    // The request body is kept for the approver (content logging is on by default).
    expect(rows[0]!.requestSnapshot).toMatchObject({ model: 'gpt-4o-mini', messages: USER });
    await expectBlockedStep(h, runId, 'policy_blocked', 'tool_approval_required');

    const retry = await s.openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: USER, tools }, { headers: { 'x-rungate-run-id': runId } })
      .withResponse();
    expect(retry.response.status).toBe(202);
    expect((retry.data as unknown as typeof pending).approval_requests).toEqual(pending.approval_requests);
    expect(await approvalsOf(runId)).toHaveLength(2);
    expect(upstreamSince(h, from)).toEqual([]);

    const [email, sms] = pending.approval_requests;
    await h.services.approvals.approve(h.ctx, email!.id);
    const half = await s.openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: USER, tools }, { headers: { 'x-rungate-run-id': runId } })
      .withResponse();
    expect(half.response.status).toBe(202);
    expect((half.data as unknown as typeof pending).approval_requests).toEqual([sms]);

    await h.services.approvals.approve(h.ctx, sms!.id);
    const passed = await s.openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: USER, tools }, { headers: { 'x-rungate-run-id': runId } })
      .withResponse();
    expect(passed.response.status).toBe(200);
    expect(passed.response.headers.get('x-rungate-run-id')).toBe(runId);
    expect(passed.data.choices[0]!.message.tool_calls?.[0]).toMatchObject({ function: { name: 'web_search' } });
    expect(upstreamSince(h, from)).toHaveLength(1);

    // Approved for the rest of the run: the Anthropic format offering the same tool passes too.
    const again = await s.anthropic.messages.create(
      { model: 'claude-3-5-haiku-latest', max_tokens: 100, messages: USER, tools: [anthropicTool('send_email')] },
      { headers: { 'x-rungate-run-id': runId } },
    );
    expect(again.stop_reason).toBe('tool_use');
    expect((await stepsOf(h, runId)).map((step) => step.status)).toEqual([
      'policy_blocked',
      'policy_blocked',
      'policy_blocked',
      'success',
      'success',
    ]);
  });

  it('blocks a rejected tool for the run with 403 tool_blocked naming the rejection', async () => {
    const s = await scenario(h, { require_approval: ['send_email'] });
    const params = {
      model: 'claude-3-5-haiku-latest',
      max_tokens: 100,
      messages: USER,
      tools: [anthropicTool('send_email')],
    };
    const first = await s.anthropic.messages.create(params).withResponse();
    expect(first.response.status).toBe(202);
    const {
      run_id: runId,
      approval_requests: [request],
    } = first.data as unknown as { run_id: string; approval_requests: { id: string; tool: string }[] };

    await h.services.approvals.reject(h.ctx, request!.id, 'not today');
    const from = h.fake.requests.length;
    const blocked = await refused(s.anthropic.messages.create(params, { headers: { 'x-rungate-run-id': runId } }));
    expect(blocked.status).toBe(403);
    expect(blocked.body).toEqual({
      error: {
        type: 'governance_block',
        code: 'tool_blocked',
        message: 'Tool use was rejected for this run: send_email',
        run_id: runId,
        details: { rejected_tools: ['send_email'], approval_request_ids: [request!.id], reasons: ['not today'] },
        context: contextOf(s, { steps: 1 }),
      },
    });
    await expectBlockedStep(h, runId, 'policy_blocked', 'tool_blocked');
    expect(upstreamSince(h, from)).toEqual([]);
    expect(await runOf(h, runId)).toMatchObject({ status: 'running', hasGovernanceBlock: true });

    // A call that does not offer the rejected tool still goes through.
    const plain = await s.anthropic.messages.create(
      { model: 'claude-3-5-haiku-latest', max_tokens: 100, messages: USER },
      { headers: { 'x-rungate-run-id': runId } },
    );
    expect(plain.stop_reason).toBe('end_turn');
  });

  it('opens a new request once the old one expired (approval_expiry_ms)', async () => {
    const s = await scenario(h, { require_approval: ['send_email'], approval_expiry_ms: 60_000 });
    const params = { model: 'gpt-4o-mini', messages: USER, tools: [openaiTool('send_email')] };
    const first = await s.openai.chat.completions.create(params).withResponse();
    const {
      run_id: runId,
      approval_requests: [old],
    } = first.data as unknown as { run_id: string; approval_requests: { id: string; tool: string }[] };
    expect((await approvalsOf(runId))[0]!.expiresAt.getTime()).toBe(clock.now().getTime() + 60_000);

    clock.advance(60_001);
    expect(await h.services.approvals.get(h.ctx, old!.id)).toMatchObject({ status: 'expired' });
    const again = await s.openai.chat.completions
      .create(params, { headers: { 'x-rungate-run-id': runId } })
      .withResponse();
    expect(again.response.status).toBe(202);
    const [fresh] = (again.data as unknown as { approval_requests: { id: string; tool: string }[] }).approval_requests;
    expect(fresh).toEqual({ id: expect.any(String), tool: 'send_email' });
    expect(fresh!.id).not.toBe(old!.id);
    // The expired request cannot be approved any more; the fresh one can.
    await expect(h.services.approvals.approve(h.ctx, old!.id)).rejects.toMatchObject({ code: 'conflict' });
    await h.services.approvals.approve(h.ctx, fresh!.id);
    const passed = await s.openai.chat.completions
      .create(params, { headers: { 'x-rungate-run-id': runId } })
      .withResponse();
    expect(passed.response.status).toBe(200);
  });
});
