import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chat } from './support/calls.ts';
import { createProxyHarness, type ProxyHarness } from './support/harness.ts';
import { routingScenario, runStepsOf, timed } from './support/routing.ts';

/**
 * The two waits before a provider has said anything: a TCP connect that never completes
 * (`connect_timeout_ms`) and a stream whose headers came but whose first event never does.
 * Both must fail over to the next provider within their limits. The proxy uses its own pools
 * here, one per connect timeout, as in production.
 */
let h: ProxyHarness;
let blackhole: { port: number; process: ChildProcess; fillers: net.Socket[] };
let silent: Server;

/** A listener that never accepts, its one-slot queue filled: further SYNs are dropped, so connects hang. */
async function startBlackhole() {
  const child = spawn('python3', [
    '-c',
    "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(600)",
  ]);
  const port = await new Promise<number>((resolve) =>
    child.stdout.once('data', (data) => resolve(Number(String(data).trim()))),
  );
  const fillers = Array.from({ length: 3 }, () => net.connect(port, '127.0.0.1').on('error', () => undefined));
  await new Promise((resolve) => setTimeout(resolve, 200));
  return { port, process: child, fillers };
}

beforeAll(async () => {
  h = await createProxyHarness({ ownPools: true });
  blackhole = await startBlackhole();
  // Answers a stream's headers at once, then never sends an event.
  silent = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.flushHeaders();
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await h?.close();
  for (const socket of blackhole?.fillers ?? []) socket.destroy();
  blackhole?.process.kill();
  silent?.closeAllConnections();
  await new Promise((resolve) => silent?.close(resolve));
});

async function deadProvider(name: string, baseUrl: string) {
  const key = await h.services.providerKeys.create(h.ctx, {
    provider: 'groq',
    name,
    api_key: `sk-${name}`,
    base_url: baseUrl,
  });
  return key.id;
}

describe('waits before the first byte', () => {
  it('a connect that never completes is a tcp_connect_timeout after connect_timeout_ms; the next provider answers', async () => {
    const keyId = await deadProvider('blackhole', `http://127.0.0.1:${blackhole.port}/v1`);
    const s = await routingScenario(
      h,
      { routing: { default_chain: ['groq', 'openai'], connect_timeout_ms: 1_000, timeout_ms: 10_000, max_retries: 1 } },
      { provider_keys: { groq: keyId, openai: h.providerKeys.openai } },
    );
    const { value, ms } = await timed(() => chat(s.openai));
    expect(value.headers.get('x-rungate-provider')).toBe('openai');
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(4_000);
    const [transition, call] = await runStepsOf(h, value.headers.get('x-rungate-run-id')!);
    expect(transition!.failoverContext!.attempted).toEqual([
      expect.objectContaining({ provider: 'groq', provider_key_id: keyId, kind: 'tcp_connect_timeout' }),
    ]);
    expect(call).toMatchObject({ status: 'success', provider: 'openai', failoverAttempts: 1 });
  });

  it('a stream whose first event never comes is a first_events_timeout; the next provider streams', async () => {
    const keyId = await deadProvider('silent', `http://127.0.0.1:${(silent.address() as AddressInfo).port}/v1`);
    const s = await routingScenario(
      h,
      { routing: { default_chain: ['groq', 'openai'], max_retries: 1 } },
      { provider_keys: { groq: keyId, openai: h.providerKeys.openai }, routing_override: { timeout_ms: 800 } },
    );
    const { value, ms } = await timed(async () => {
      const { data, response } = await s.openai.chat.completions
        .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: true })
        .withResponse();
      let text = '';
      for await (const chunk of data) text += chunk.choices[0]?.delta?.content ?? '';
      return { text, headers: response.headers };
    });
    expect(value.text.length).toBeGreaterThan(0);
    expect(value.headers.get('x-rungate-provider')).toBe('openai');
    expect(ms).toBeLessThan(4_000);
    const [transition] = await runStepsOf(h, value.headers.get('x-rungate-run-id')!);
    expect(transition!.failoverContext!.attempted).toEqual([
      expect.objectContaining({ provider: 'groq', provider_key_id: keyId, kind: 'first_events_timeout' }),
    ]);
  });
});
