import { z } from 'zod';
import {
  auditFields,
  dataEnvelope,
  IdParams,
  limitQuery,
  listEnvelope,
  MessageResult,
  NullableString,
  OffsetQuery,
  ResourceName,
  Timestamp,
  Uuid,
  Visibility,
} from './common.ts';
import { DashboardAuthError, ErrorResponse } from './errors.ts';
import { idActionsOf } from './id-action.ts';
import { defineOperation } from './operation.ts';

export const WebhookEventType = z
  .enum([
    'run.started',
    'run.completed',
    'run.budget_exceeded',
    'run.force_stopped',
    'run.alert_threshold',
    'step.completed',
    'step.policy_blocked',
    'step.budget_blocked',
    'step.failed',
    'agent.created',
    'agent.updated',
    'agent.disabled',
    'policy.created',
    'policy.updated',
    'policy.deleted',
    'policy.version_created',
    'provider_key.created',
    'provider_key.disabled',
    'provider_key.enabled',
    'provider_key.deleted',
    'provider_key.rotated',
    'step.approval_required',
    'approval.approved',
    'approval.rejected',
    'admin_token.created',
    'admin_token.revoked',
    'alert.triggered',
    'alert_rule.created',
    'alert_rule.updated',
    'alert_rule.deleted',
    'member.role_changed',
    'member.removed',
    'member.ownership_transferred',
    'webhook.test',
  ])
  .describe('Event a webhook can subscribe to');
export type WebhookEventType = z.infer<typeof WebhookEventType>;

export const WebhookStatus = z.enum(['active', 'paused', 'failing']);
export type WebhookStatus = z.infer<typeof WebhookStatus>;

const receiverUrl = z.url({ protocol: /^https?$/ }).describe('HTTP(S) endpoint that receives deliveries');

export const Webhook = z
  .object({
    id: Uuid,
    name: z.string(),
    org_id: Uuid.nullable().optional(),
    url: z.string().describe('Delivery endpoint'),
    secret: z.string().describe('Masked except in the creation response'),
    previous_secret: NullableString.optional().describe('Set during a rotation grace window; masked'),
    previous_secret_expires_at: Timestamp.nullable().optional(),
    events: z.array(WebhookEventType),
    agent_id: NullableString.optional().describe('Only events about this agent'),
    status: WebhookStatus.describe('failing: paused automatically after repeated failures'),
    failure_count: z.number().int(),
    description: NullableString.optional(),
    scope: Visibility.optional(),
    ...auditFields,
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .describe('A webhook subscription');
export type Webhook = z.infer<typeof Webhook>;

export const CreateWebhookInput = z
  .object({
    name: ResourceName,
    url: receiverUrl,
    events: z.array(WebhookEventType).min(1),
    secret: z.string().min(1).optional().describe('Signing secret; generated (whsec_...) when omitted'),
    agent_id: z.string().optional(),
    description: z.string().optional(),
    scope: Visibility.optional().describe('Members may only create personal webhooks (default org)'),
  })
  .describe('New webhook subscription');
export type CreateWebhookInput = z.infer<typeof CreateWebhookInput>;

/** Partial update; `events` replaces the list. */
export const UpdateWebhookInput = z.object({
  name: ResourceName.optional(),
  url: receiverUrl.optional(),
  events: z.array(WebhookEventType).min(1).optional(),
  secret: z.string().min(1).optional(),
  agent_id: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  status: z.enum(['active', 'paused']).optional(),
});
export type UpdateWebhookInput = z.infer<typeof UpdateWebhookInput>;

export const WebhookDeliveryStatus = z.enum(['pending', 'success', 'failed']);
export type WebhookDeliveryStatus = z.infer<typeof WebhookDeliveryStatus>;

export const WebhookDelivery = z
  .object({
    id: Uuid,
    webhook_id: Uuid,
    event_type: WebhookEventType,
    event_id: Uuid,
    payload: z.string().describe('The JSON body as sent'),
    status: WebhookDeliveryStatus,
    attempts: z.number().int(),
    max_attempts: z.number().int(),
    response_status: z.number().int().nullable().optional(),
    response_body: NullableString.optional().describe('First 4 KB of the receiver answer'),
    next_retry_at: Timestamp.nullable().optional(),
    created_at: Timestamp,
    completed_at: Timestamp.nullable().optional(),
  })
  .describe('One delivery of an event to a webhook');
export type WebhookDelivery = z.infer<typeof WebhookDelivery>;

export const ListWebhooksQuery = z.object({
  status: WebhookStatus.optional(),
  event: WebhookEventType.optional().describe('Only webhooks subscribed to this event'),
});

export const ListWebhookDeliveriesQuery = z.object({
  status: WebhookDeliveryStatus.optional(),
  event_type: WebhookEventType.optional(),
  limit: limitQuery(50, 200),
  offset: OffsetQuery,
});
export type ListWebhookDeliveriesQuery = z.infer<typeof ListWebhookDeliveriesQuery>;

export const WebhookSecretRotation = dataEnvelope(
  z.object({
    previous_secret: z.string().describe('Still signs X-Rungate-Signature-256-Previous until grace_expires_at'),
    current_secret: z.string(),
    grace_expires_at: Timestamp,
  }),
);

export const WebhookTestResult = dataEnvelope(
  z.object({
    message: z.string(),
    delivery_id: Uuid,
    warning: z.string().optional().describe('Set when the webhook is paused or failing'),
  }),
);

const WebhookResult = dataEnvelope(Webhook);
const tag = 'Webhooks';
const auth = 'dashboard';

const webhookAction = idActionsOf(tag, WebhookResult);

export const webhookOperations = {
  create: defineOperation({
    operationId: 'createWebhook',
    method: 'POST',
    path: '/api/webhooks',
    tag,
    summary: 'Create a webhook',
    auth,
    body: CreateWebhookInput,
    responses: { 201: WebhookResult, 400: ErrorResponse, 401: DashboardAuthError },
    successStatus: 201,
  }),
  list: defineOperation({
    operationId: 'listWebhooks',
    method: 'GET',
    path: '/api/webhooks',
    tag,
    summary: 'List webhooks',
    auth,
    query: ListWebhooksQuery,
    responses: { 200: listEnvelope(Webhook), 401: DashboardAuthError },
    successStatus: 200,
  }),
  get: defineOperation({
    operationId: 'getWebhook',
    method: 'GET',
    path: '/api/webhooks/{id}',
    tag,
    summary: 'Get a webhook',
    auth,
    params: IdParams,
    responses: { 200: WebhookResult, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  update: defineOperation({
    operationId: 'updateWebhook',
    method: 'PUT',
    path: '/api/webhooks/{id}',
    tag,
    summary: 'Update a webhook',
    auth,
    params: IdParams,
    body: UpdateWebhookInput,
    responses: { 200: WebhookResult, 400: ErrorResponse, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  delete: defineOperation({
    operationId: 'deleteWebhook',
    method: 'DELETE',
    path: '/api/webhooks/{id}',
    tag,
    summary: 'Delete a webhook',
    auth,
    params: IdParams,
    responses: { 200: MessageResult, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  enable: webhookAction('enableWebhook', '/api/webhooks/{id}/enable', 'Enable a webhook'),
  disable: webhookAction('disableWebhook', '/api/webhooks/{id}/disable', 'Disable a webhook'),
  rotateSecret: defineOperation({
    operationId: 'rotateWebhookSecret',
    method: 'POST',
    path: '/api/webhooks/{id}/rotate-secret',
    tag,
    summary: 'Rotate the webhook secret with a 10-minute grace window',
    auth,
    params: IdParams,
    responses: { 200: WebhookSecretRotation, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  expirePreviousSecret: webhookAction(
    'expirePreviousWebhookSecret',
    '/api/webhooks/{id}/expire-previous-secret',
    'Close a pending rotation grace window early',
  ),
  listDeliveries: defineOperation({
    operationId: 'listWebhookDeliveries',
    method: 'GET',
    path: '/api/webhooks/{id}/deliveries',
    tag,
    summary: 'List deliveries for a webhook',
    auth,
    params: IdParams,
    query: ListWebhookDeliveriesQuery,
    responses: { 200: listEnvelope(WebhookDelivery), 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 200,
  }),
  test: defineOperation({
    operationId: 'testWebhook',
    method: 'POST',
    path: '/api/webhooks/{id}/test',
    tag,
    summary: 'Send a test event to a webhook',
    auth,
    params: IdParams,
    responses: { 200: WebhookTestResult, 401: DashboardAuthError, 404: ErrorResponse, 503: ErrorResponse },
    successStatus: 200,
  }),
};
