import { router } from './init.ts';
import { accountRouter } from './routers/account.ts';
import { adminTokensRouter } from './routers/admin-tokens.ts';
import { agentsRouter } from './routers/agents.ts';
import { approvalsRouter } from './routers/approvals.ts';
import { policiesRouter } from './routers/policies.ts';
import { providerKeysRouter } from './routers/provider-keys.ts';
import { runsRouter } from './routers/runs.ts';

/** The dashboard's API: one sub-router per resource, each a thin layer over its service. */
export const appRouter = router({
  account: accountRouter,
  adminTokens: adminTokensRouter,
  agents: agentsRouter,
  policies: policiesRouter,
  providerKeys: providerKeysRouter,
  runs: runsRouter,
  approvals: approvalsRouter,
});

export type AppRouter = typeof appRouter;
