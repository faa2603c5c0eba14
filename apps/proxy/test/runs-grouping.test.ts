import { randomUUID } from 'node:crypto';
import { ManualClock } from '@rungate/governance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentRuns, chat, message, refusal, runRow, runSteps } from './support/calls.ts';
import { createProxyHarness, type HarnessAgent, type ProxyHarness } from './support/harness.ts';

/**
 * Calls without a run id group into implicit runs by time (`time_window_seconds`); a run
 * force-stopped by an operator blocks new implicit runs for the cooldown, unless the agent asks
 * for a new run explicitly or the operator lifts the block.
 */

let h: ProxyHarness;
let clock: ManualClock;
const WINDOW_SECONDS = 120;
const COOLDOWN_MINUTES = 15;

beforeAll(async () => {
  clock = new ManualClock(new Date());
  h = await createProxyHarness({
    clock,
    policy: {
      implicit_run_grouping: { time_window_seconds: WINDOW_SECONDS, force_stop_cooldown_minutes: COOLDOWN_MINUTES },
    },
  });
});
afterAll(() => h?.close());

const freshAgent = (): Promise<HarnessAgent> => h.createAgent({ name: `agent-${randomUUID().slice(0, 8)}` });
const runIdOf = (response: { headers: Headers }) => response.headers.get('x-rungate-run-id')!;

describe('implicit grouping', () => {
  it('calls within the window share one run, in both formats', async () => {
    const agent = await freshAgent();
    const first = runIdOf(await chat(h.openai(agent.key)));
    clock.advance((WINDOW_SECONDS - 1) * 1000);
    const second = runIdOf(await message(h.anthropic(agent.key)));
    // The window counts from the last activity, not from the run's start.
    clock.advance((WINDOW_SECONDS - 1) * 1000);
    const third = runIdOf(await chat(h.openai(agent.key)));
    expect(new Set([first, second, third])).toEqual(new Set([first]));
    expect(await runRow(h, first)).toMatchObject({ creationMethod: 'implicit', status: 'running', stepCount: 3 });
  });

  it('after the window the old run is completed (idle_auto_complete) and a new one starts', async () => {
    const agent = await freshAgent();
    const first = runIdOf(await chat(h.openai(agent.key)));
    clock.advance((WINDOW_SECONDS + 1) * 1000);
    const second = runIdOf(await chat(h.openai(agent.key)));
    expect(second).not.toBe(first);
    expect(await runRow(h, first)).toMatchObject({ status: 'completed', endedReason: 'idle_auto_complete' });
    expect((await runRow(h, first)).endedAt).toEqual(clock.now());
    expect(await runRow(h, second)).toMatchObject({ status: 'running', creationMethod: 'implicit', stepCount: 1 });
    expect((await agentRuns(h, agent.id)).map((r) => r.id)).toEqual([first, second]);
  });

  it('explicit runs are never picked up by implicit calls', async () => {
    const agent = await freshAgent();
    const explicit = randomUUID();
    await chat(h.openai(agent.key), {}, { 'x-rungate-run-id': explicit });
    const implicit = runIdOf(await chat(h.openai(agent.key)));
    expect(implicit).not.toBe(explicit);
    expect(await runSteps(h, explicit)).toHaveLength(1);
    expect(await runRow(h, explicit)).toMatchObject({ status: 'running' });
  });

  it('concurrent first calls open a single run', async () => {
    const agent = await freshAgent();
    const client = h.openai(agent.key);
    const ids = await Promise.all(Array.from({ length: 8 }, async () => runIdOf(await chat(client))));
    expect(new Set(ids).size).toBe(1);
    expect(await agentRuns(h, agent.id)).toHaveLength(1);
    expect(await runRow(h, ids[0]!)).toMatchObject({ stepCount: 8 });
  });

  it('each agent has its own implicit run', async () => {
    const [a, b] = await Promise.all([freshAgent(), freshAgent()]);
    const runA = runIdOf(await chat(h.openai(a.key)));
    const runB = runIdOf(await chat(h.openai(b.key)));
    expect(runA).not.toBe(runB);
  });
});

describe('force-stop cooldown', () => {
  it('blocks implicit calls with 403 run_blocked_after_force_stop until the cooldown ends', async () => {
    const agent = await freshAgent();
    const runId = runIdOf(await chat(h.openai(agent.key)));
    await h.services.runs.stop(h.ctx, runId);
    const before = h.fake.requests.length;

    const blocked = await refusal(chat(h.openai(agent.key)));
    expect(blocked.status).toBe(403);
    expect(blocked.body).toMatchObject({
      error: {
        type: 'governance_block',
        code: 'run_blocked_after_force_stop',
        run_id: null,
        details: { cooldown_minutes: COOLDOWN_MINUTES },
      },
    });
    const anthropicBlocked = await refusal(message(h.anthropic(agent.key)));
    expect(anthropicBlocked.status).toBe(403);
    expect(anthropicBlocked.body).toMatchObject({
      error: { type: 'governance_block', code: 'run_blocked_after_force_stop' },
    });
    expect(h.fake.requests.length).toBe(before);
    expect(await agentRuns(h, agent.id)).toHaveLength(1);

    clock.advance(COOLDOWN_MINUTES * 60_000 + 1000);
    const after = runIdOf(await chat(h.openai(agent.key)));
    expect(after).not.toBe(runId);
  });

  it('a call naming the stopped run gets 403 run_force_stopped', async () => {
    const agent = await freshAgent();
    const runId = randomUUID();
    await chat(h.openai(agent.key), {}, { 'x-rungate-run-id': runId });
    await h.services.runs.stop(h.ctx, runId);
    const before = h.fake.requests.length;
    const blocked = await refusal(chat(h.openai(agent.key), {}, { 'x-rungate-run-id': runId }));
    expect(blocked.status).toBe(403);
    expect(blocked.headers.get('x-rungate-run-id')).toBe(runId);
    expect(blocked.body).toMatchObject({
      error: { type: 'governance_block', code: 'run_force_stopped', run_id: runId },
    });
    expect(h.fake.requests.length).toBe(before);
    expect(await runRow(h, runId)).toMatchObject({
      status: 'force_stopped',
      endedReason: 'admin_stopped',
      stepCount: 1,
    });
  });

  it('x-rungate-new-run bypasses the cooldown (header or body field)', async () => {
    const agent = await freshAgent();
    const stopped = runIdOf(await chat(h.openai(agent.key)));
    await h.services.runs.stop(h.ctx, stopped);

    const viaHeader = runIdOf(await chat(h.openai(agent.key), {}, { 'x-rungate-new-run': 'true' }));
    expect(viaHeader).not.toBe(stopped);
    // The new run is the agent's implicit run now: later implicit calls join it.
    expect(runIdOf(await message(h.anthropic(agent.key)))).toBe(viaHeader);

    const viaBody = runIdOf(await message(h.anthropic(agent.key), { 'x-rungate-new-run': true }));
    expect(viaBody).not.toBe(viaHeader);
    expect(await runRow(h, viaHeader)).toMatchObject({ status: 'completed', endedReason: 'new_run_requested' });
  });

  it('an explicit run id is not blocked by the cooldown', async () => {
    const agent = await freshAgent();
    const stopped = runIdOf(await chat(h.openai(agent.key)));
    await h.services.runs.stop(h.ctx, stopped);
    const explicit = randomUUID();
    const { headers } = await chat(h.openai(agent.key), {}, { 'x-rungate-run-id': explicit });
    expect(runIdOf({ headers })).toBe(explicit);
  });

  it('unblock lifts the block at once', async () => {
    const agent = await freshAgent();
    const stopped = runIdOf(await chat(h.openai(agent.key)));
    await h.services.runs.stop(h.ctx, stopped);
    expect((await refusal(chat(h.openai(agent.key)))).status).toBe(403);

    const lifted = await h.services.runs.unblock(h.ctx, stopped);
    expect(lifted.lifted_at).toBe(clock.now().toISOString());
    const next = runIdOf(await chat(h.openai(agent.key)));
    expect(next).not.toBe(stopped);
    // The stopped run itself stays stopped.
    expect((await refusal(chat(h.openai(agent.key), {}, { 'x-rungate-run-id': stopped }))).body).toMatchObject({
      error: { code: 'run_force_stopped' },
    });
  });

  it('the cooldown is per agent: other agents keep working', async () => {
    const [stoppedAgent, other] = await Promise.all([freshAgent(), freshAgent()]);
    const runId = runIdOf(await chat(h.openai(stoppedAgent.key)));
    await h.services.runs.stop(h.ctx, runId);
    expect((await refusal(chat(h.openai(stoppedAgent.key)))).status).toBe(403);
    const { data } = await chat(h.openai(other.key));
    expect(data.choices[0]?.message.content).toBe('Hello from the fake provider.');
  });
});
