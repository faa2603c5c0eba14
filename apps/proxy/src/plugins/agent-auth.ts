import type { AgentRow, Services } from '@rungate/governance';
import { sha256Hex, TtlCache } from '@rungate/governance';
import { unauthorizedBody } from '@rungate/http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

declare module 'fastify' {
  interface FastifyRequest {
    agent: AgentRow;
  }
}

const AGENT_KEY_PREFIX = 'rg_sk_';

/** The agent key from `Authorization: Bearer` or `x-api-key` (both SDKs use one of them). */
export function agentKeyOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header?.toLowerCase().startsWith('bearer ')) return header.slice(7).trim() || null;
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey ? apiKey : null;
}

/**
 * Authenticates every agent route (contract `auth: 'agent'`). Agents are cached by key hash so
 * the hot path does not read the database; a rotated key stops working as soon as the
 * configuration generation moves (at once in this process, within the TTL elsewhere).
 */
export const agentAuth = fp(
  async (app: FastifyInstance, opts: { services: Services }) => {
    const { services } = opts;
    const cache = new TtlCache<string, AgentRow | null>({
      ttlMs: 5_000,
      clock: services.deps.clock,
      generation: () => services.deps.configGeneration.value,
    });
    app.decorateRequest('agent', null as unknown as AgentRow);
    app.addHook('onRequest', async (request, reply) => {
      if (request.routeOptions.config.auth !== 'agent') return;
      const key = agentKeyOf(request);
      if (!key)
        return reply
          .status(401)
          .send(unauthorizedBody('Missing agent API key: send Authorization: Bearer rg_sk_... or x-api-key'));
      const agent = key.startsWith(AGENT_KEY_PREFIX)
        ? await cache.get(sha256Hex(key), () => services.agents.authenticateAgentKey(key))
        : null;
      if (!agent) return reply.status(401).send(unauthorizedBody('Invalid agent API key'));
      request.agent = agent;
    });
  },
  { name: 'rungate-agent-auth' },
);
