import { ManualClock } from '@rungate/governance';
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
// 15 s into a minute, so a fixed one-minute window has 45 s left.
const clock = new ManualClock(Date.UTC(2026, 4, 4, 12, 0, 15));

beforeAll(async () => {
  h = await createProxyHarness({ clock });
});
afterAll(() => h?.close());

const ask = (s: { openai: import('openai').default }, headers: Record<string, string> = {}) =>
  s.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: USER }, { headers }).withResponse();

describe('runaway prevention', () => {
  it('refuses the call past max_steps_per_run with 403 runaway_prevention, in both formats', async () => {
    const s = await scenario(h, { runaway_prevention: { enabled: true, max_steps_per_run: 3 } });
    let runId = '';
    for (let i = 0; i < 3; i++) runId = (await ask(s)).response.headers.get('x-rungate-run-id')!;
    const from = h.fake.requests.length;

    const blocked = await refused(s.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: USER }));
    expect(blocked.status).toBe(403);
    expect(blocked.body).toEqual({
      error: {
        type: 'governance_block',
        code: 'runaway_prevention',
        message: 'Run reached max_steps_per_run (3 steps): possible runaway loop',
        run_id: runId,
        details: { steps_used: 3, max_steps_per_run: 3 },
        context: contextOf(s, { steps: 3, cost: 0.000027, tokens: 90 }),
      },
    });
    await expectBlockedStep(h, runId, 'policy_blocked', 'runaway_prevention');

    const anthropic = await refused(
      s.anthropic.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 10, messages: USER }),
    );
    expect(anthropic.status).toBe(403);
    expect(anthropic.body.error).toMatchObject({ code: 'runaway_prevention', run_id: runId });
    expect(upstreamSince(h, from)).toEqual([]);
    expect(await runOf(h, runId)).toMatchObject({ status: 'running', totalCostUsd: '0.0000270000', totalTokens: 90 });

    // A new run starts counting again.
    const fresh = await ask(s, { 'x-rungate-new-run': 'true' });
    expect(fresh.response.status).toBe(200);
    expect(fresh.response.headers.get('x-rungate-run-id')).not.toBe(runId);
  });

  it('does not count when disabled', async () => {
    const s = await scenario(h, { runaway_prevention: { enabled: false, max_steps_per_run: 1 } });
    for (let i = 0; i < 3; i++) expect((await ask(s)).response.status).toBe(200);
  });
});

describe('rate limits', () => {
  it('answers 429 rate_limited with retry-after past max_requests_per_minute, per agent and per policy, until the window turns', async () => {
    const other = await h.services.policies.create(h.ctx, {
      name: `per-run-${Date.now()}`,
      rate_limits: { max_requests_per_minute: 1 },
    });
    const s = await scenario(h, { rate_limits: { max_requests_per_minute: 2 } }, { allowed_policies: [other.id] });
    const first = await ask(s);
    await ask(s);
    const runId = first.response.headers.get('x-rungate-run-id')!;
    const from = h.fake.requests.length;

    const limited = await refused(s.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: USER }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('45');
    expect(limited.body).toEqual({
      error: {
        type: 'governance_block',
        code: 'rate_limited',
        message: 'Rate limit reached: 2 requests per minute',
        run_id: runId,
        details: { limit: 'max_requests_per_minute', limit_value: 2, retry_after_seconds: 45 },
        context: contextOf(s, { steps: 2, cost: 0.000018, tokens: 60 }),
      },
    });
    await expectBlockedStep(h, runId, 'policy_blocked', 'rate_limited');
    const anthropic = await refused(
      s.anthropic.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 10, messages: USER }),
    );
    expect(anthropic.status).toBe(429);
    expect(anthropic.headers.get('retry-after')).toBe('45');
    expect(upstreamSince(h, from)).toEqual([]);

    // Per agent: another agent under the same policy has its own count.
    const sibling = await h.createAgent({ name: 'sibling', policy_id: s.policy.id });
    expect((await ask({ openai: h.openai(sibling.key) })).response.status).toBe(200);

    // Per policy: the same agent under another policy (a per-run policy) has its own count.
    const perRun = await ask(s, { 'x-rungate-run-policy': other.name });
    expect(perRun.response.status).toBe(200);
    expect(perRun.response.headers.get('x-rungate-policy-fallback')).toBeNull();
    const perRunLimited = await refused(
      s.openai.chat.completions.create(
        { model: 'gpt-4o-mini', messages: USER },
        { headers: { 'x-rungate-run-policy': other.name } },
      ),
    );
    expect(perRunLimited.status).toBe(429);
    expect(perRunLimited.body.error).toMatchObject({
      code: 'rate_limited',
      details: { limit_value: 1 },
      context: { policy_name: other.name },
    });

    clock.advance(45_000);
    expect((await ask(s)).response.status).toBe(200);
  });

  it('counts only calls that reach the rate limit: calls refused by an earlier rule give their request back', async () => {
    const s = await scenario(h, {
      rate_limits: { max_requests_per_minute: 2 },
      blocked_models: ['gpt-4o'],
      budget: { hard_limit_usd: 10 },
    });
    for (let i = 0; i < 3; i++) {
      const blocked = await refused(s.openai.chat.completions.create({ model: 'gpt-4o', messages: USER }));
      expect(blocked.body.error).toMatchObject({ code: 'model_not_allowed' });
    }
    expect((await ask(s)).response.status).toBe(200);
    expect((await ask(s)).response.status).toBe(200);
    const limited = await refused(s.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: USER }));
    expect(limited.body.error).toMatchObject({ code: 'rate_limited' });
  });

  it('refuses the calls after the minute’s max_tokens_per_minute is used up', async () => {
    const s = await scenario(h, { rate_limits: { max_tokens_per_minute: 50 } });
    // 30 tokens each (20 in, 10 out): the second call starts under 50 and ends at 60.
    const first = await ask(s);
    expect(first.response.headers.get('x-rungate-tokens-used')).toBe('30');
    await ask(s);
    const runId = first.response.headers.get('x-rungate-run-id')!;
    const limited = await refused(s.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: USER }));
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe(
      String(Math.ceil((60_000 - (clock.now().getTime() % 60_000)) / 1000)),
    );
    expect(limited.body.error).toMatchObject({
      code: 'rate_limited',
      run_id: runId,
      details: { limit: 'max_tokens_per_minute', limit_value: 50 },
    });
    await expectBlockedStep(h, runId, 'policy_blocked', 'rate_limited');
    expect((await stepsOf(h, runId)).map((step) => step.status)).toEqual(['success', 'success', 'policy_blocked']);
  });
});
