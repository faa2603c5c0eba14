import { AppError, type Services } from '@rungate/governance';
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import type { FastifyInstance } from 'fastify';
import { readCredentials } from '../plugins/dashboard-auth.ts';
import type { TrpcContext } from './init.ts';
import { type AppRouter, appRouter } from './router.ts';

/** Mounts the tRPC router at /trpc, authenticated like /api (admin token or session cookie). */
export async function registerTrpc(app: FastifyInstance, services: Services): Promise<void> {
  const trpcOptions: FastifyTRPCPluginOptions<AppRouter>['trpcOptions'] = {
    router: appRouter,
    async createContext({ req }): Promise<TrpcContext> {
      try {
        return { services, auth: await services.auth.authenticateDashboard(readCredentials(req)), authError: null };
      } catch (error) {
        if (error instanceof AppError) return { services, auth: null, authError: error };
        throw error;
      }
    },
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') app.log.error({ err: error, path }, 'trpc procedure failed');
    },
  };
  await app.register(fastifyTRPCPlugin, { prefix: '/trpc', trpcOptions });
}
