import Fastify, { type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { DEFAULT_BODY_LIMIT_BYTES } from './env.ts';
import { registerErrorHandler } from './error-handler.ts';

export interface BaseAppOptions {
  logger?: FastifyServerOptions['logger'];
  bodyLimit?: number;
  /** Longest path parameter the router accepts; Fastify's default (100) when not given. */
  maxParamLength?: number;
}

/**
 * A Fastify app as both apps serve it: contract (zod) validation and serialization, the spec's
 * error shapes, and a shutdown that does not wait on idle client sockets. Routes come after.
 */
export function buildBaseApp(options: BaseAppOptions = {}) {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT_BYTES,
    routerOptions: {
      ...(options.maxParamLength !== undefined ? { maxParamLength: options.maxParamLength } : {}),
      ignoreTrailingSlash: true,
    },
    return503OnClosing: true,
    // Shutdown must not wait on keep-alive or request-less client sockets.
    forceCloseConnections: true,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);
  return app;
}
