import type { z } from 'zod';
import { Account, CreateAccountInput } from './accounts.ts';
import { AdminToken, CreateAdminTokenInput } from './admin-tokens.ts';
import { Agent, AllAgentStats, CreateAgentInput, UpsertAgentInput } from './agents.ts';
import { AlertRule, CreateAlertRuleInput } from './alert-rules.ts';
import { CleanupInput, CostAnalyticsResult, DeleteOldDataResult, OldDataCount, OverviewStats } from './analytics.ts';
import { ApprovalRequest } from './approvals.ts';
import {
  DashboardAuthError,
  ErrorResponse,
  GovernanceBlockResponse,
  ProviderErrorResponse,
  ProxyAuthError,
} from './errors.ts';
import { HealthResponse } from './health.ts';
import { Invitation } from './invitations.ts';
import { Member } from './members.ts';
import { CreatePolicyInput, Policy, PolicyVersion, UpsertPolicyInput } from './policies.ts';
import { CreateProviderKeyInput, ProviderKey, UpsertProviderKeyInput } from './provider-keys.ts';
import { LedgerEntry, Run, RunCompletionInput, RunCompletionResponse, Step } from './runs.ts';
import { Session } from './sessions.ts';
import { CreateWebhookInput, Webhook, WebhookDelivery, WebhookEventType } from './webhooks.ts';

/** The spec's `components.schemas`, by their spec names. */
export const componentSchemas = {
  ProviderKey,
  Policy,
  PolicyVersion,
  Agent,
  Run,
  Step,
  LedgerEntry,
  HealthResponse,
  OverviewStats,
  AllAgentStats,
  CostAnalyticsResult,
  OldDataCount,
  DeleteOldDataResult,
  ErrorResponse,
  DashboardAuthError,
  GovernanceBlockResponse,
  ProxyAuthError,
  ProviderErrorResponse,
  CreateProviderKeyInput,
  CreatePolicyInput,
  CreateAgentInput,
  UpsertProviderKeyInput,
  UpsertPolicyInput,
  UpsertAgentInput,
  RunCompletionInput,
  RunCompletionResponse,
  CleanupInput,
  WebhookEventType,
  Webhook,
  CreateWebhookInput,
  WebhookDelivery,
  ApprovalRequest,
  AlertRule,
  CreateAlertRuleInput,
  AdminToken,
  CreateAdminTokenInput,
  Invitation,
  Member,
  Account,
  CreateAccountInput,
  Session,
} as const satisfies Record<string, z.ZodType>;

export type ComponentName = keyof typeof componentSchemas;

/** Components that describe request bodies; rendered with their input types (defaults optional). */
export const inputComponentNames: ReadonlySet<ComponentName> = new Set<ComponentName>([
  'CreateProviderKeyInput',
  'CreatePolicyInput',
  'CreateAgentInput',
  'UpsertProviderKeyInput',
  'UpsertPolicyInput',
  'UpsertAgentInput',
  'RunCompletionInput',
  'CleanupInput',
  'CreateWebhookInput',
  'CreateAlertRuleInput',
  'CreateAdminTokenInput',
  'CreateAccountInput',
]);
