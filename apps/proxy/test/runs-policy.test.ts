import { randomUUID } from 'node:crypto';
import type { PolicyView } from '@rungate/governance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat, message, refusal, runRow, runSteps } from './support/calls.ts';
import { createProxyHarness, type HarnessAgent, type ProxyHarness } from './support/harness.ts';

/**
 * `x-rungate-run-policy`: a run may pick another policy by name or id, within the agent's
 * `allowed_policies`; anything else falls back to the agent's default and says so in headers.
 * The run keeps a frozen copy of the policy it started under.
 */

let h: ProxyHarness;
let alt: PolicyView;
let forbidden: PolicyView;
let restricted: HarnessAgent;

beforeAll(async () => {
  h = await createProxyHarness();
  alt = await h.services.policies.create(h.ctx, {
    name: 'alt-policy',
    budget: { hard_limit_usd: 7 },
    blocked_models: ['gpt-4o'],
  });
  forbidden = await h.services.policies.create(h.ctx, { name: 'forbidden-policy', blocked_models: ['claude-*'] });
  restricted = await h.createAgent({ name: 'restricted', allowed_policies: [alt.id] });
});
afterAll(() => h?.close());

const noFallback = (headers: Headers) => {
  expect(headers.get('x-rungate-policy-fallback')).toBeNull();
  expect(headers.get('x-rungate-policy-fallback-reason')).toBeNull();
};

describe('selecting a per-run policy', () => {
  it('by name in a header, when allowed', async () => {
    const runId = randomUUID();
    const { headers } = await chat(
      h.openai(restricted.key),
      {},
      { 'x-rungate-run-id': runId, 'x-rungate-run-policy': 'alt-policy' },
    );
    noFallback(headers);
    expect((await runRow(h, runId)).policyId).toBe(alt.id);
  });

  it('by id in a body field, which is not forwarded', async () => {
    const runId = randomUUID();
    const { headers } = await message(h.anthropic(restricted.key), {
      'x-rungate-run-policy': alt.id,
      'x-rungate-run-id': runId,
    });
    noFallback(headers);
    expect((await runRow(h, runId)).policyId).toBe(alt.id);
    const forwarded = h.fake.requests.at(-1)!.body as Record<string, unknown>;
    expect(Object.keys(forwarded).filter((key) => key.startsWith('x-rungate'))).toEqual([]);
  });

  it('the header wins over the body field', async () => {
    const runId = randomUUID();
    await chat(
      h.openai(restricted.key),
      { 'x-rungate-run-policy': 'no-such-policy' },
      { 'x-rungate-run-id': runId, 'x-rungate-run-policy': alt.name },
    );
    expect((await runRow(h, runId)).policyId).toBe(alt.id);
  });

  it('the agent default policy is always allowed, by name or id', async () => {
    for (const selector of [h.policy.name, h.policy.id]) {
      const runId = randomUUID();
      const { headers } = await chat(
        h.openai(restricted.key),
        {},
        { 'x-rungate-run-id': runId, 'x-rungate-run-policy': selector },
      );
      noFallback(headers);
      expect((await runRow(h, runId)).policyId).toBe(h.policy.id);
    }
  });

  it('with allowed_policies null, any policy of the org can be chosen', async () => {
    const runId = randomUUID();
    const { headers } = await chat(
      h.openai(),
      {},
      { 'x-rungate-run-id': runId, 'x-rungate-run-policy': forbidden.name },
    );
    noFallback(headers);
    expect((await runRow(h, runId)).policyId).toBe(forbidden.id);
  });

  it('a policy outside allowed_policies falls back to the default: not_allowed', async () => {
    const runId = randomUUID();
    const { headers } = await chat(
      h.openai(restricted.key),
      {},
      { 'x-rungate-run-id': runId, 'x-rungate-run-policy': forbidden.id },
    );
    expect(headers.get('x-rungate-policy-fallback')).toBe('true');
    expect(headers.get('x-rungate-policy-fallback-reason')).toBe('not_allowed');
    expect((await runRow(h, runId)).policyId).toBe(h.policy.id);
  });

  it("an unknown policy (or another org's) falls back to the default: not_found", async () => {
    const foreign = await h.createForeignAgent();
    const foreignPolicy = await h.services.policies.create(foreign.ctx, { name: 'foreign-only' });
    for (const selector of ['no-such-policy', randomUUID(), foreignPolicy.id, 'foreign-only']) {
      const runId = randomUUID();
      const { headers } = await message(
        h.anthropic(),
        {},
        { 'x-rungate-run-id': runId, 'x-rungate-run-policy': selector },
      );
      expect(headers.get('x-rungate-policy-fallback')).toBe('true');
      expect(headers.get('x-rungate-policy-fallback-reason')).toBe('not_found');
      expect((await runRow(h, runId)).policyId).toBe(h.policy.id);
    }
  });

  it('the chosen policy governs the call, and fallback headers come with refusals too', async () => {
    const blocked = await refusal(
      chat(h.openai(restricted.key), { model: 'gpt-4o' }, { 'x-rungate-run-policy': 'alt-policy' }),
    );
    expect(blocked.status).toBe(403);
    expect(blocked.body).toMatchObject({
      error: { type: 'governance_block', code: 'model_not_allowed', details: { rule: 'blocked_models' } },
    });

    // Not allowed to use `forbidden-policy` (which blocks claude): the default policy applies.
    const { data, headers } = await message(
      h.anthropic(restricted.key),
      {},
      { 'x-rungate-run-policy': 'forbidden-policy' },
    );
    expect(data.content[0]).toMatchObject({ type: 'text' });
    expect(headers.get('x-rungate-policy-fallback-reason')).toBe('not_allowed');

    const alsoBlocked = await refusal(
      chat(
        h.openai(restricted.key),
        { model: 'gpt-4o' },
        { 'x-rungate-run-policy': alt.id, 'x-rungate-run-id': randomUUID() },
      ),
    );
    expect(alsoBlocked.status).toBe(403);
    expect(alsoBlocked.headers.get('x-rungate-policy-fallback')).toBeNull();
  });
  it("later calls naming the run stay under the run's policy without repeating the control", async () => {
    const runId = randomUUID();
    await chat(h.openai(restricted.key), {}, { 'x-rungate-run-id': runId, 'x-rungate-run-policy': 'alt-policy' });
    // alt-policy blocks gpt-4o; the agent's default policy does not.
    const blocked = await refusal(chat(h.openai(restricted.key), { model: 'gpt-4o' }, { 'x-rungate-run-id': runId }));
    expect(blocked.status).toBe(403);
    expect(blocked.body).toMatchObject({ error: { code: 'model_not_allowed', run_id: runId } });
    const steps = await runSteps(h, runId);
    expect(steps.map((s) => s.status)).toEqual(['success', 'policy_blocked']);
  });
});

describe('policy_snapshot', () => {
  it('is the policy as it was when the run started, unchanged by later edits', async () => {
    const policy = await h.services.policies.create(h.ctx, {
      name: 'snapshot-policy',
      budget: { hard_limit_usd: 3 },
      allowed_models: ['gpt-4o-mini', 'claude-*'],
    });
    const runId = randomUUID();
    await chat(h.openai(), {}, { 'x-rungate-run-id': runId, 'x-rungate-run-policy': 'snapshot-policy' });
    const before = await runRow(h, runId);
    expect(before.policySnapshot).toMatchObject({
      id: policy.id,
      name: 'snapshot-policy',
      budget: { hard_limit_usd: 3 },
      allowed_models: ['gpt-4o-mini', 'claude-*'],
    });
    expect(before.budget).toMatchObject({ hard_limit_usd: 3 });

    await h.services.policies.update(h.ctx, policy.id, { budget: { hard_limit_usd: 99 }, allowed_models: ['gpt-4o'] });
    h.services.deps.configGeneration.bump();

    // A later call on the same run: the snapshot and the run's budget stay as they were.
    await chat(h.openai(), {}, { 'x-rungate-run-id': runId, 'x-rungate-run-policy': 'snapshot-policy' }).catch(
      () => undefined,
    );
    const after = await runRow(h, runId);
    expect(after.policySnapshot).toEqual(before.policySnapshot);
    expect(after.budget).toEqual(before.budget);
    const admin = await h.services.runs.get(h.ctx, runId);
    expect(admin.policy_snapshot).toMatchObject({
      budget: { hard_limit_usd: 3 },
      allowed_models: ['gpt-4o-mini', 'claude-*'],
    });

    // A new run under the edited policy freezes the new settings.
    const nextId = randomUUID();
    await chat(
      h.openai(),
      { model: 'gpt-4o' },
      { 'x-rungate-run-id': nextId, 'x-rungate-run-policy': 'snapshot-policy' },
    );
    expect((await runRow(h, nextId)).policySnapshot).toMatchObject({
      budget: { hard_limit_usd: 99 },
      allowed_models: ['gpt-4o'],
    });
    expect(await runSteps(h, nextId)).toHaveLength(1);
  });
});
