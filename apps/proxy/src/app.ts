import { type BaseAppOptions, buildBaseApp } from '@rungate/http';
import type { FastifyInstance } from 'fastify';
import type { ProxyOptions } from './options.ts';
import { agentAuth } from './plugins/agent-auth.ts';
import { agentApiRoutes } from './routes/agent-api.ts';
import { llmRoutes } from './routes/llm.ts';

/** Mounts the agent-facing /v1 surface on an app that already has validators and an error handler. */
export async function registerProxy(app: FastifyInstance, options: ProxyOptions): Promise<void> {
  await app.register(agentAuth, { services: options.services });
  llmRoutes(app, options);
  agentApiRoutes(app, options);
}

/** The proxy on its own (scale-out: many proxy processes, one api). */
export async function buildProxyApp(
  options: ProxyOptions & Pick<BaseAppOptions, 'logger' | 'bodyLimit'>,
): Promise<FastifyInstance> {
  const app = buildBaseApp({ logger: options.logger, bodyLimit: options.bodyLimit });
  await registerProxy(app, options);
  return app;
}
