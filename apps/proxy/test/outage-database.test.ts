import { type CuttableProxy, startCuttableProxy } from '@rungate/db/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { chatBody, eventually } from './support/calls.ts';
import { createProxyHarness, type PeerProxy, type ProxyHarness } from './support/harness.ts';

const onPostgres = Boolean(process.env.DATABASE_URL);

/** A raw call to a peer proxy, timed, for the status, headers and body the SDKs retry past. */
async function timedCall(peer: PeerProxy, key: string) {
  const started = Date.now();
  const response = await fetch(`${peer.baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(chatBody()),
  });
  return { status: response.status, headers: response.headers, body: await response.json(), ms: Date.now() - started };
}

describe.runIf(onPostgres)('PostgreSQL unreachable', () => {
  let h: ProxyHarness;
  let forwarder: CuttableProxy;
  afterEach(async () => {
    await h?.close();
    await forwarder?.close();
  });

  it('fails closed with 503 service_unavailable within 1 s, forwards nothing, and recovers by itself', async () => {
    h = await createProxyHarness();
    forwarder = await startCuttableProxy(h.databaseUrl!);
    const peer = await h.startPeerProxy({ via: forwarder.url });
    const stranger = await h.createAgent({ name: 'not-yet-cached' });
    expect((await timedCall(peer, h.agent.key)).status).toBe(200);
    const forwarded = h.fake.requests.length;

    forwarder.cut();
    for (const key of [h.agent.key, stranger.key]) {
      const refused = await timedCall(peer, key);
      expect(refused.status).toBe(503);
      expect(refused.body).toEqual({
        error: { type: 'service_unavailable', message: 'The database is unreachable; retry shortly' },
      });
      expect(refused.headers.get('retry-after')).toBe('1');
      expect(refused.ms).toBeLessThan(1_000);
    }
    expect(h.fake.requests.length).toBe(forwarded);

    forwarder.restore();
    const recovered = await eventually(async () => {
      const call = await timedCall(peer, stranger.key);
      expect(call.status).toBe(200);
      return call;
    }, 5_000);
    expect(recovered.headers.get('x-rungate-run-id')).toBeTruthy();
    expect(h.fake.requests.length).toBe(forwarded + 1);
  });
});
