import { router } from './init.ts';
import { accountRouter } from './routers/account.ts';
import { adminTokensRouter } from './routers/admin-tokens.ts';

/** The dashboard's API: one sub-router per resource, each a thin layer over its service. */
export const appRouter = router({
  account: accountRouter,
  adminTokens: adminTokensRouter,
});

export type AppRouter = typeof appRouter;
