import { z } from 'zod';
import {
  auditFields,
  dataEnvelope,
  IdParams,
  JsonObject,
  listEnvelope,
  MAX_INT4,
  MessageResult,
  NullableString,
  ResourceName,
  Timestamp,
  Uuid,
  Visibility,
} from './common.ts';
import { DashboardAuthError, ErrorResponse } from './errors.ts';
import { idActionsOf } from './id-action.ts';
import { defineOperation } from './operation.ts';

export const AlertConditionType = z.enum([
  'cost_threshold',
  'error_rate',
  'rate_limit_approaching',
  'approval_pending_timeout',
  'failover_rate',
]);
export type AlertConditionType = z.infer<typeof AlertConditionType>;

/** Windows up to a week: longer ones would scan more history than an alert needs. */
const windowMinutes = (fallback: number) => z.number().int().min(1).max(10_080).default(fallback);
const percent = (fallback: number) => z.number().gt(0).max(100).default(fallback);
/** Calls a window needs before a rate means anything (one failure in one call is not 100% broken). */
const minCalls = (fallback: number) => z.number().int().min(1).max(1_000_000).default(fallback);

/**
 * `condition_config` per `condition_type` (the spec leaves it open). Every field has a default,
 * so `{}` is a working rule; unknown keys are refused, so a typo is a 400, not a silent default.
 */
export const AlertConditionConfigs = {
  /** Spend (ledger cost) over the last `window_minutes`, org-wide or for the rule's agent. */
  cost_threshold: z.strictObject({
    threshold_usd: z.number().gt(0).max(1_000_000_000).default(100),
    window_minutes: windowMinutes(60),
  }),
  /** Share of forwarded calls that ended in `error` or `timeout`. */
  error_rate: z.strictObject({
    threshold_percent: percent(10),
    window_minutes: windowMinutes(15),
    min_calls: minCalls(10),
  }),
  /** Use of the agent's policy `rate_limits` in the last minute (the larger of requests and tokens). */
  rate_limit_approaching: z.strictObject({
    threshold_percent: percent(80),
  }),
  /** Age of the oldest approval request still pending. */
  approval_pending_timeout: z.strictObject({
    threshold_minutes: z.number().gt(0).max(10_080).default(30),
  }),
  /** Share of forwarded calls that failed over to another key or provider. */
  failover_rate: z.strictObject({
    threshold_percent: percent(20),
    window_minutes: windowMinutes(15),
    min_calls: minCalls(10),
  }),
} satisfies Record<AlertConditionType, z.ZodType>;

export type AlertConditionConfigs = { [K in AlertConditionType]: z.output<(typeof AlertConditionConfigs)[K]> };

export const AlertRuleStatus = z.enum(['active', 'disabled']);
export type AlertRuleStatus = z.infer<typeof AlertRuleStatus>;

export const AlertRule = z
  .object({
    id: Uuid,
    name: z.string(),
    description: NullableString.optional(),
    org_id: Uuid.nullable().optional(),
    agent_id: Uuid.nullable().optional().describe('Null watches every agent'),
    condition_type: AlertConditionType,
    condition_config: JsonObject.describe('Thresholds and windows of the condition'),
    cooldown_seconds: z.number().int(),
    last_triggered_at: Timestamp.nullable().optional(),
    status: AlertRuleStatus,
    scope: Visibility.optional(),
    ...auditFields,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .describe('A condition that fires alert.triggered webhooks');
export type AlertRule = z.infer<typeof AlertRule>;

const alertRuleFields = {
  name: ResourceName,
  description: z.string().optional(),
  agent_id: Uuid.optional().describe('Required for rate_limit_approaching'),
  condition_type: AlertConditionType,
  condition_config: JsonObject.optional().describe(
    'Thresholds and windows of the condition_type (threshold_usd, threshold_percent, threshold_minutes, window_minutes, min_calls); every field has a default',
  ),
  cooldown_seconds: z
    .number()
    .int()
    .min(0)
    .max(MAX_INT4)
    .optional()
    .describe('Quiet time between triggers (default 300)'),
  scope: Visibility.optional().describe('Members may only create personal rules (default org)'),
};

export const CreateAlertRuleInput = z
  .object({ ...alertRuleFields, cooldown_seconds: alertRuleFields.cooldown_seconds.default(300) })
  .refine((rule) => rule.condition_type !== 'rate_limit_approaching' || rule.agent_id !== undefined, {
    message: 'agent_id is required for rate_limit_approaching',
    path: ['agent_id'],
  })
  .describe('New alert rule');
export type CreateAlertRuleInput = z.infer<typeof CreateAlertRuleInput>;

/** PUT takes any subset of the create fields; nothing is defaulted. `agent_id: null` widens the rule to every agent. */
export const UpdateAlertRuleInput = z
  .object({ ...alertRuleFields, agent_id: Uuid.nullable().optional().describe('Null watches every agent') })
  .partial();
export type UpdateAlertRuleInput = z.infer<typeof UpdateAlertRuleInput>;

export const ListAlertRulesQuery = z.object({
  agent_id: z.string().optional(),
  condition_type: z.string().optional(),
  status: AlertRuleStatus.optional(),
});
export type ListAlertRulesQuery = z.infer<typeof ListAlertRulesQuery>;

const AlertRuleResult = dataEnvelope(AlertRule);
const tag = 'AlertRules';
const auth = 'dashboard';

const alertRuleAction = idActionsOf(tag, AlertRuleResult);

export const alertRuleOperations = {
  create: defineOperation({
    operationId: 'createAlertRule',
    method: 'POST',
    path: '/api/alert-rules',
    tag,
    summary: 'Create an alert rule',
    auth,
    body: CreateAlertRuleInput,
    responses: { 201: AlertRuleResult, 400: ErrorResponse, 401: DashboardAuthError, 409: ErrorResponse },
    successStatus: 201,
  }),
  list: defineOperation({
    operationId: 'listAlertRules',
    method: 'GET',
    path: '/api/alert-rules',
    tag,
    summary: 'List alert rules',
    auth,
    query: ListAlertRulesQuery,
    responses: { 200: listEnvelope(AlertRule), 401: DashboardAuthError },
    successStatus: 200,
  }),
  get: defineOperation({
    operationId: 'getAlertRule',
    method: 'GET',
    path: '/api/alert-rules/{id}',
    tag,
    summary: 'Get an alert rule by ID',
    auth,
    params: IdParams,
    responses: { 200: AlertRuleResult, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  update: defineOperation({
    operationId: 'updateAlertRule',
    method: 'PUT',
    path: '/api/alert-rules/{id}',
    tag,
    summary: 'Update an alert rule',
    auth,
    params: IdParams,
    body: UpdateAlertRuleInput,
    responses: { 200: AlertRuleResult, 400: ErrorResponse, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  delete: defineOperation({
    operationId: 'deleteAlertRule',
    method: 'DELETE',
    path: '/api/alert-rules/{id}',
    tag,
    summary: 'Delete an alert rule',
    auth,
    params: IdParams,
    responses: { 200: MessageResult, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  enable: alertRuleAction('enableAlertRule', '/api/alert-rules/{id}/enable', 'Enable an alert rule'),
  disable: alertRuleAction('disableAlertRule', '/api/alert-rules/{id}/disable', 'Disable an alert rule'),
};
