import type { Services } from '@rungate/governance';
import { buildBaseApp } from '@rungate/http';
import { registerProxy } from '@rungate/proxy';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Dispatcher } from 'undici';
import { registerGraphql } from './graphql/plugin.ts';
import { trackConfigChanges } from './plugins/config-changes.ts';
import { dashboardAuth } from './plugins/dashboard-auth.ts';
import { hasWebBuild, registerWeb } from './plugins/web.ts';
import { registerRestRoutes } from './routes/index.ts';
import { registerTrpc } from './trpc/plugin.ts';

export interface AppOptions {
  services: Services;
  bodyLimit?: number;
  logger?: FastifyServerOptions['logger'];
  /** Folder with the built dashboard; served at `/` when given. */
  webDir?: string;
  /** Pins one upstream pool for the mounted proxy (tests); by default it keeps its own pools. */
  dispatcher?: Dispatcher;
}

export type ApiApp = FastifyInstance;

/** Builds the whole single-node HTTP surface without listening, so tests can `inject`. */
export async function buildApp(options: AppOptions): Promise<ApiApp> {
  const app = buildBaseApp({ logger: options.logger, bodyLimit: options.bodyLimit, maxParamLength: 5000 });
  await app.register(dashboardAuth, { services: options.services });
  trackConfigChanges(app, options.services);
  await registerRestRoutes(app, options.services);
  await registerTrpc(app, options.services);
  registerGraphql(app, options.services);
  await registerProxy(app, {
    services: options.services,
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  if (options.webDir && hasWebBuild(options.webDir)) await registerWeb(app, options.webDir);
  return app;
}
