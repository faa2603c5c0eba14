import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { registerErrorHandler } from './http/error-handler.ts';
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
export async function buildProxyApp(options: ProxyOptions & { logger?: FastifyServerOptions['logger']; bodyLimit?: number }): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 10 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
    // Shutdown must not wait on keep-alive or request-less client sockets.
    forceCloseConnections: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  await registerProxy(app, options);
  return app;
}
