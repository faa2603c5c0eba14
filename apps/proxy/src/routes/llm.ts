import { proxyOperations } from '@rungate/contracts';
import type { FastifyInstance } from 'fastify';
import { handleCall } from '../calls/handle-call.ts';
import { UpstreamPools } from '../calls/pools.ts';
import type { ProxyOptions } from '../options.ts';
import { agentRoute } from './agent-route.ts';

/** The two LLM endpoints: OpenAI Chat Completions and Anthropic Messages, governed the same way. */
export function llmRoutes(app: FastifyInstance, options: ProxyOptions): void {
  const ctx = { services: options.services, pools: new UpstreamPools(options.dispatcher) };
  app.addHook('onClose', () => ctx.pools.close());
  agentRoute(app, proxyOperations.chatCompletions, ({ request, reply }) => handleCall('openai', request, reply, ctx));
  agentRoute(app, proxyOperations.messages, ({ request, reply }) => handleCall('anthropic', request, reply, ctx));
}
