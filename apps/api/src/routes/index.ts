import type { Services } from '@rungate/governance';
import type { FastifyInstance } from 'fastify';
import { accountRoutes } from './account.ts';
import { adminTokenRoutes } from './admin-tokens.ts';
import { agentRoutes } from './agents.ts';
import { alertRuleRoutes } from './alert-rules.ts';
import { analyticsRoutes } from './analytics.ts';
import { approvalRoutes } from './approvals.ts';
import { guideRoutes } from './guides.ts';
import { healthRoutes } from './health.ts';
import { memberRoutes } from './members.ts';
import { policyRoutes } from './policies.ts';
import { providerKeyRoutes } from './provider-keys.ts';
import { providerRoutes } from './providers.ts';
import { registrationRoutes } from './registration.ts';
import { runRoutes } from './runs.ts';
import { webhookRoutes } from './webhooks.ts';

export async function registerRestRoutes(app: FastifyInstance, services: Services): Promise<void> {
  healthRoutes(app, services);
  guideRoutes(app);
  registrationRoutes(app, services);
  policyRoutes(app, services);
  accountRoutes(app, services);
  adminTokenRoutes(app, services);
  agentRoutes(app, services);
  providerKeyRoutes(app, services);
  providerRoutes(app, services);
  runRoutes(app, services);
  webhookRoutes(app, services);
  approvalRoutes(app, services);
  alertRuleRoutes(app, services);
  memberRoutes(app, services);
  analyticsRoutes(app, services);
}
