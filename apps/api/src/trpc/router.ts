import { router } from './init.ts';
import { accountRouter } from './routers/account.ts';
import { adminTokensRouter } from './routers/admin-tokens.ts';
import { agentsRouter } from './routers/agents.ts';
import { alertRulesRouter } from './routers/alert-rules.ts';
import { analyticsRouter } from './routers/analytics.ts';
import { approvalsRouter } from './routers/approvals.ts';
import { membersRouter } from './routers/members.ts';
import { policiesRouter } from './routers/policies.ts';
import { providerKeysRouter } from './routers/provider-keys.ts';
import { runsRouter } from './routers/runs.ts';
import { webhooksRouter } from './routers/webhooks.ts';

/** The dashboard's API: one sub-router per resource, each a thin layer over its service. */
export const appRouter = router({
  account: accountRouter,
  adminTokens: adminTokensRouter,
  agents: agentsRouter,
  policies: policiesRouter,
  providerKeys: providerKeysRouter,
  runs: runsRouter,
  webhooks: webhooksRouter,
  approvals: approvalsRouter,
  alertRules: alertRulesRouter,
  members: membersRouter,
  analytics: analyticsRouter,
});

export type AppRouter = typeof appRouter;
