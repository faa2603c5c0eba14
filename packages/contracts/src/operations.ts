import { accountOperations } from './accounts.ts';
import { adminTokenOperations } from './admin-tokens.ts';
import { agentApiOperations } from './agent-api.ts';
import { agentOperations } from './agents.ts';
import { alertRuleOperations } from './alert-rules.ts';
import { analyticsOperations } from './analytics.ts';
import { approvalOperations } from './approvals.ts';
import { authOperations } from './auth.ts';
import { healthOperations } from './health.ts';
import { invitationOperations } from './invitations.ts';
import { memberOperations } from './members.ts';
import type { Operation } from './operation.ts';
import { policyOperations } from './policies.ts';
import { providerKeyOperations } from './provider-keys.ts';
import { providerOperations } from './providers.ts';
import { proxyOperations } from './proxy.ts';
import { registrationOperations } from './registration.ts';
import { runOperations } from './runs.ts';
import { sessionOperations } from './sessions.ts';
import { webhookOperations } from './webhooks.ts';

/** Every spec operation, grouped by resource: `operations.agents.create`, ... */
export const operations = {
  health: healthOperations,
  providerKeys: providerKeyOperations,
  policies: policyOperations,
  agents: agentOperations,
  runs: runOperations,
  analytics: analyticsOperations,
  providers: providerOperations,
  proxy: proxyOperations,
  agentApi: agentApiOperations,
  webhooks: webhookOperations,
  approvals: approvalOperations,
  alertRules: alertRuleOperations,
  adminTokens: adminTokenOperations,
  invitations: invitationOperations,
  members: memberOperations,
  accounts: accountOperations,
  sessions: sessionOperations,
  registration: registrationOperations,
  auth: authOperations,
} as const;

/** Flat list, in spec order within each group. */
export const allOperations: readonly Operation[] = Object.values(operations).flatMap((group): Operation[] =>
  Object.values(group),
);

/** `METHOD path` -> operation (operationIds are not unique in the spec: two `completeRun`). */
export const operationByRoute: ReadonlyMap<string, Operation> = new Map(
  allOperations.map((operation) => [`${operation.method} ${operation.path}`, operation]),
);
