import Fastify from 'fastify';
import { Pool } from 'undici';
import { serveForParent } from './child.ts';

/**
 * Child process: the least any Node proxy does, as a floor for the numbers of the real one. The
 * same Fastify and undici pool as the proxy, parsing the JSON body and forwarding it to the fake
 * provider at `argv[2]`, bytes streamed back as they arrive; no governance, no database, no
 * Redis. What the proxy adds beyond this row is the cost of governing the call.
 */
serveForParent(async () => {
  const upstream = process.argv[2];
  if (!upstream) throw new Error('usage: pass-through-server.ts <fake provider url>');
  const pool = new Pool(upstream, { connections: 128, pipelining: 1 });
  const app = Fastify({ logger: false });
  app.post('/v1/chat/completions', async (request, reply) => {
    const answer = await pool.request({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-fake-openai' },
      body: JSON.stringify(request.body),
    });
    return reply
      .status(answer.statusCode)
      .type(String(answer.headers['content-type'] ?? 'application/json'))
      .send(answer.body);
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const close = async () => {
    await app.close();
    await pool.close();
  };
  return { info: { url }, close };
});
