import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentRuns, chat, message, refusal, runRow, runSteps } from './support/calls.ts';
import { createProxyHarness, type HarnessAgent, type ProxyHarness } from './support/harness.ts';

/**
 * Run controls (`x-rungate-run-id`, `-new-run`, `-run-name`, `-run-metadata`) sent through the
 * official SDKs, as headers and as top-level body fields: headers win, and the body fields never
 * reach the provider.
 */

let h: ProxyHarness;

beforeAll(async () => {
  h = await createProxyHarness();
});
afterAll(() => h?.close());

/** Each test works with its own agent, so implicit runs of other tests never interfere. */
async function freshAgent(): Promise<HarnessAgent> {
  return h.createAgent({ name: `agent-${randomUUID().slice(0, 8)}` });
}

/** The body the fake received for the latest call. */
function lastForwardedBody(): Record<string, unknown> {
  const last = h.fake.requests.at(-1);
  if (!last) throw new Error('nothing reached the fake');
  return last.body as Record<string, unknown>;
}

const controlKeysIn = (body: Record<string, unknown>) => Object.keys(body).filter((key) => key.startsWith('x-rungate'));

describe('x-rungate-run-id', () => {
  it('as a header: the first use creates the run under that id, later calls attach to it', async () => {
    const agent = await freshAgent();
    const runId = randomUUID();
    const first = await chat(h.openai(agent.key), {}, { 'x-rungate-run-id': runId });
    expect(first.headers.get('x-rungate-run-id')).toBe(runId);
    const second = await message(h.anthropic(agent.key), {}, { 'x-rungate-run-id': runId });
    expect(second.headers.get('x-rungate-run-id')).toBe(runId);

    const run = await runRow(h, runId);
    expect(run).toMatchObject({ agentId: agent.id, creationMethod: 'explicit', status: 'running', stepCount: 2 });
    const steps = await runSteps(h, runId);
    expect(steps.map((s) => [s.stepNumber, s.provider, s.status])).toEqual([
      [1, 'openai', 'success'],
      [2, 'anthropic', 'success'],
    ]);
    expect(steps.map((s) => s.id)).toEqual([
      first.headers.get('x-rungate-step-id'),
      second.headers.get('x-rungate-step-id'),
    ]);
    expect(await agentRuns(h, agent.id)).toHaveLength(1);
  });

  it('as a body field: same behaviour, and the field is not forwarded', async () => {
    const agent = await freshAgent();
    const runId = randomUUID();
    const first = await chat(h.openai(agent.key), { 'x-rungate-run-id': runId });
    expect(first.headers.get('x-rungate-run-id')).toBe(runId);
    expect(controlKeysIn(lastForwardedBody())).toEqual([]);
    const second = await message(h.anthropic(agent.key), { 'x-rungate-run-id': runId });
    expect(second.headers.get('x-rungate-run-id')).toBe(runId);
    expect(controlKeysIn(lastForwardedBody())).toEqual([]);
    expect(await runRow(h, runId)).toMatchObject({ creationMethod: 'explicit', stepCount: 2 });
  });

  it('the header wins over the body field', async () => {
    const agent = await freshAgent();
    const fromHeader = randomUUID();
    const fromBody = randomUUID();
    const { headers } = await chat(
      h.openai(agent.key),
      { 'x-rungate-run-id': fromBody },
      { 'x-rungate-run-id': fromHeader },
    );
    expect(headers.get('x-rungate-run-id')).toBe(fromHeader);
    expect(controlKeysIn(lastForwardedBody())).toEqual([]);
    expect((await agentRuns(h, agent.id)).map((r) => r.id)).toEqual([fromHeader]);
  });

  it('a value that is not a UUID is a 400 naming the control', async () => {
    const agent = await freshAgent();
    const before = h.fake.requests.length;
    const { status, body } = await refusal(chat(h.openai(agent.key), {}, { 'x-rungate-run-id': 'not-a-uuid' }));
    expect(status).toBe(400);
    expect(body).toEqual({
      error: {
        type: 'validation_error',
        message: 'x-rungate-run-id must be a UUID',
        fields: { 'x-rungate-run-id': 'Must be a UUID' },
      },
    });
    expect(h.fake.requests.length).toBe(before);
    expect(await agentRuns(h, agent.id)).toEqual([]);
  });
});

describe('x-rungate-new-run', () => {
  it.each([
    ['header', {}, { 'x-rungate-new-run': 'true' }],
    ['body field', { 'x-rungate-new-run': true }, {}],
  ])('as a %s: completes the running runs with new_run_requested and starts another', async (_how, body, headers) => {
    const agent = await freshAgent();
    const implicit = await chat(h.openai(agent.key));
    const explicitId = randomUUID();
    await chat(h.openai(agent.key), {}, { 'x-rungate-run-id': explicitId });
    const oldImplicit = implicit.headers.get('x-rungate-run-id')!;

    const fresh = await chat(h.openai(agent.key), body, headers);
    const freshId = fresh.headers.get('x-rungate-run-id')!;
    expect([oldImplicit, explicitId]).not.toContain(freshId);
    expect(controlKeysIn(lastForwardedBody())).toEqual([]);

    for (const id of [oldImplicit, explicitId]) {
      expect(await runRow(h, id)).toMatchObject({ status: 'completed', endedReason: 'new_run_requested' });
    }
    expect(await runRow(h, freshId)).toMatchObject({ status: 'running', stepCount: 1, endedReason: null });
    // The next implicit call groups into the new run.
    const next = await message(h.anthropic(agent.key));
    expect(next.headers.get('x-rungate-run-id')).toBe(freshId);
  });

  it('"false" is not a request for a new run', async () => {
    const agent = await freshAgent();
    const first = await chat(h.openai(agent.key));
    const second = await chat(h.openai(agent.key), {}, { 'x-rungate-new-run': 'false' });
    expect(second.headers.get('x-rungate-run-id')).toBe(first.headers.get('x-rungate-run-id'));
  });
});

describe('x-rungate-run-name', () => {
  it('names the run on its first request only (header)', async () => {
    const agent = await freshAgent();
    const runId = randomUUID();
    await chat(h.openai(agent.key), {}, { 'x-rungate-run-id': runId, 'x-rungate-run-name': 'nightly triage' });
    await chat(h.openai(agent.key), {}, { 'x-rungate-run-id': runId, 'x-rungate-run-name': 'renamed later' });
    expect((await runRow(h, runId)).name).toBe('nightly triage');
  });

  it('as a body field on an implicit run, header winning when both are sent', async () => {
    const agent = await freshAgent();
    const first = await message(h.anthropic(agent.key), { 'x-rungate-run-name': 'from body' });
    expect(controlKeysIn(lastForwardedBody())).toEqual([]);
    const runId = first.headers.get('x-rungate-run-id')!;
    expect((await runRow(h, runId)).name).toBe('from body');
    await message(
      h.anthropic(agent.key),
      { 'x-rungate-run-name': 'second body' },
      { 'x-rungate-run-name': 'second header' },
    );
    expect((await runRow(h, runId)).name).toBe('from body');

    const other = await chat(
      h.openai(agent.key),
      { 'x-rungate-run-name': 'body loses' },
      { 'x-rungate-run-name': 'header wins', 'x-rungate-new-run': 'true' },
    );
    expect((await runRow(h, other.headers.get('x-rungate-run-id')!)).name).toBe('header wins');
  });
});

describe('x-rungate-run-metadata', () => {
  it('a JSON string in the header is stored as an object on the run', async () => {
    const agent = await freshAgent();
    const runId = randomUUID();
    await chat(
      h.openai(agent.key),
      {},
      {
        'x-rungate-run-id': runId,
        'x-rungate-run-metadata': JSON.stringify({ ticket: 'T-42', attempt: 2, tags: ['a'] }),
      },
    );
    expect((await runRow(h, runId)).metadata).toEqual({ ticket: 'T-42', attempt: 2, tags: ['a'] });
  });

  it('an object in the body is stored as sent and not forwarded; the header wins', async () => {
    const agent = await freshAgent();
    const first = await message(h.anthropic(agent.key), {
      'x-rungate-run-metadata': { source: 'body', nested: { n: 1 } },
    });
    expect(controlKeysIn(lastForwardedBody())).toEqual([]);
    expect((await runRow(h, first.headers.get('x-rungate-run-id')!)).metadata).toEqual({
      source: 'body',
      nested: { n: 1 },
    });

    const runId = randomUUID();
    await chat(
      h.openai(agent.key),
      { 'x-rungate-run-metadata': { source: 'body' } },
      { 'x-rungate-run-id': runId, 'x-rungate-run-metadata': '{"source":"header"}' },
    );
    expect((await runRow(h, runId)).metadata).toEqual({ source: 'header' });
  });

  it.each([
    ['invalid JSON in the header', { 'x-rungate-run-metadata': '{not json' }, {}, 'Not valid JSON'],
    ['a JSON array in the header', { 'x-rungate-run-metadata': '[1,2]' }, {}, 'Must be a JSON object'],
    ['a string in the body that is not JSON', {}, { 'x-rungate-run-metadata': 'oops' }, 'Not valid JSON'],
  ])('%s is a 400 and nothing is forwarded or recorded', async (_case, headers, body, reason) => {
    const agent = await freshAgent();
    const before = h.fake.requests.length;
    const { status, body: error } = await refusal(chat(h.openai(agent.key), body, headers));
    expect(status).toBe(400);
    expect(error).toEqual({
      error: {
        type: 'validation_error',
        message: 'x-rungate-run-metadata must be a JSON object',
        fields: { 'x-rungate-run-metadata': reason },
      },
    });
    expect(h.fake.requests.length).toBe(before);
    expect(await agentRuns(h, agent.id)).toEqual([]);
  });

  it('the Anthropic SDK gets the same 400', async () => {
    const agent = await freshAgent();
    const { status, body } = await refusal(message(h.anthropic(agent.key), {}, { 'x-rungate-run-metadata': '{' }));
    expect(status).toBe(400);
    expect(body).toMatchObject({
      error: { type: 'validation_error', fields: { 'x-rungate-run-metadata': 'Not valid JSON' } },
    });
  });
});
