import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contextOf,
  refused,
  runOf,
  scenario,
  stepsOf,
  stepsOfAgent,
  USER,
  upstreamSince,
} from './support/governance.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';

let h: ProxyHarness;

beforeAll(async () => {
  h = await createProxyHarness();
});
afterAll(() => h?.close());

const post = (path: string, headers: Record<string, string>, body: string) =>
  fetch(`${h.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as Record<string, unknown>,
  }));

describe('agent disabled', () => {
  it('refuses every call of a disabled agent with 403 agent_disabled, recording no run, and lets it through again once enabled', async () => {
    const s = await scenario(h);
    await h.updateAgent({ status: 'disabled' }, s.agent.id);
    const from = h.fake.requests.length;

    const viaOpenAI = await refused(s.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: USER }));
    const expected = {
      error: {
        type: 'governance_block',
        code: 'agent_disabled',
        message: 'This agent is disabled',
        run_id: null,
        details: {},
        context: contextOf(s, { steps: 0 }),
      },
    };
    expect(viaOpenAI.status).toBe(403);
    expect(viaOpenAI.body).toEqual(expected);
    expect(viaOpenAI.headers.get('x-rungate-run-id')).toBeNull();

    const viaAnthropic = await refused(
      s.anthropic.messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 100, messages: USER }),
    );
    expect(viaAnthropic.status).toBe(403);
    expect(viaAnthropic.body).toEqual(expected);

    expect(upstreamSince(h, from)).toEqual([]);
    // No run is opened for a disabled agent, so there is nowhere to record a step.
    expect(await stepsOfAgent(h, s.agent.id)).toEqual([]);

    await h.updateAgent({ status: 'active' }, s.agent.id);
    const ok = await s.openai.chat.completions.create({ model: 'gpt-4o-mini', messages: USER });
    expect(ok.choices[0]!.message.content).toBe('Hello from the fake provider.');
  });
});

describe('bad keys', () => {
  const body = JSON.stringify({ model: 'gpt-4o-mini', messages: USER });

  it('answers 401 ProxyAuthError to an unknown key through both SDKs', async () => {
    const from = h.fake.requests.length;
    const openai = await refused(
      h.openai('rg_sk_not_a_real_key').chat.completions.create({ model: 'gpt-4o-mini', messages: USER }),
    );
    expect(openai.status).toBe(401);
    expect(openai.body).toEqual({ error: { type: 'unauthorized', message: 'Invalid agent API key' } });
    const anthropic = await refused(
      h.anthropic('sk-ant-wrong').messages.create({ model: 'claude-3-5-haiku-latest', max_tokens: 10, messages: USER }),
    );
    expect(anthropic.status).toBe(401);
    expect(anthropic.body).toEqual({ error: { type: 'unauthorized', message: 'Invalid agent API key' } });
    expect(upstreamSince(h, from)).toEqual([]);
  });

  it('reads the key from Authorization: Bearer and from x-api-key, and refuses a missing or wrong one in either', async () => {
    const unknown = { error: { type: 'unauthorized', message: 'Invalid agent API key' } };
    expect(await post('/v1/chat/completions', { authorization: 'Bearer rg_sk_bogus' }, body)).toEqual({
      status: 401,
      body: unknown,
    });
    expect(await post('/v1/chat/completions', { 'x-api-key': 'rg_sk_bogus' }, body)).toEqual({
      status: 401,
      body: unknown,
    });
    expect(await post('/v1/messages', { 'x-api-key': 'rg_sk_bogus' }, body)).toEqual({ status: 401, body: unknown });
    const missing = await post('/v1/chat/completions', {}, body);
    expect(missing).toEqual({
      status: 401,
      body: {
        error: {
          type: 'unauthorized',
          message: 'Missing agent API key: send Authorization: Bearer rg_sk_... or x-api-key',
        },
      },
    });

    const s = await scenario(h);
    const viaApiKey = await post(
      '/v1/messages',
      { 'x-api-key': s.agent.key },
      JSON.stringify({ model: 'claude-3-5-haiku-latest', max_tokens: 10, messages: USER }),
    );
    expect(viaApiKey.status).toBe(200);
    const viaBearer = await post('/v1/chat/completions', { authorization: `Bearer ${s.agent.key}` }, body);
    expect(viaBearer.status).toBe(200);
  });
});

describe('malformed bodies', () => {
  it('answers 400 to a body that is not JSON, or not a JSON object, without reaching the provider or recording a step', async () => {
    const s = await scenario(h);
    const from = h.fake.requests.length;
    for (const path of ['/v1/chat/completions', '/v1/messages']) {
      const broken = await post(
        path,
        { authorization: `Bearer ${s.agent.key}` },
        '{"model": "gpt-4o-mini", "messages": [',
      );
      expect(broken.status).toBe(400);
      expect(broken.body).toMatchObject({ error: { type: 'validation_error' } });
      const notObject = await post(path, { authorization: `Bearer ${s.agent.key}` }, '[1, 2, 3]');
      expect(notObject.status).toBe(400);
      expect(notObject.body).toMatchObject({ error: { type: 'validation_error' } });
    }
    expect(upstreamSince(h, from)).toEqual([]);
    expect(await stepsOfAgent(h, s.agent.id)).toEqual([]);
  });
});

describe("another agent's run", () => {
  it('refuses with 403 when an agent names a run of another agent of its org, or of another org, as header or body field', async () => {
    const owner = await scenario(h);
    const intruder = await scenario(h);
    const { response } = await owner.openai.chat.completions
      .create({ model: 'gpt-4o-mini', messages: USER })
      .withResponse();
    const runId = response.headers.get('x-rungate-run-id')!;
    const from = h.fake.requests.length;

    const viaHeader = await refused(
      intruder.openai.chat.completions.create(
        { model: 'gpt-4o-mini', messages: USER },
        { headers: { 'x-rungate-run-id': runId } },
      ),
    );
    expect(viaHeader.status).toBe(403);
    expect(viaHeader.body).toEqual({ error: { type: 'forbidden', message: 'This run belongs to another agent' } });

    const viaBody = await refused(
      intruder.anthropic.messages.create({
        model: 'claude-3-5-haiku-latest',
        max_tokens: 10,
        messages: USER,
        'x-rungate-run-id': runId,
      } as never),
    );
    expect(viaBody.status).toBe(403);
    expect(viaBody.body).toEqual({ error: { type: 'forbidden', message: 'This run belongs to another agent' } });

    const foreign = await h.createForeignAgent();
    const fromForeignOrg = await refused(
      h
        .openai(foreign.key)
        .chat.completions.create({ model: 'gpt-4o-mini', messages: USER }, { headers: { 'x-rungate-run-id': runId } }),
    );
    expect(fromForeignOrg.status).toBe(403);

    expect(upstreamSince(h, from)).toEqual([]);
    expect(await stepsOf(h, runId)).toHaveLength(1);
    expect(await runOf(h, runId)).toMatchObject({
      agentId: owner.agent.id,
      stepCount: 1,
      hasGovernanceBlock: false,
      status: 'running',
    });
    expect(await stepsOfAgent(h, intruder.agent.id)).toEqual([]);
  });
});
