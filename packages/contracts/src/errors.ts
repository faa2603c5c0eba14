import { z } from 'zod';

/**
 * Error types of the admin API. The first six are the spec's; `unauthorized`,
 * `payload_too_large` and `rate_limited` are ours for statuses the spec lists without a body.
 */
export const ErrorType = z.enum([
  'validation_error',
  'not_found',
  'conflict',
  'forbidden',
  'internal_error',
  'service_unavailable',
  'unauthorized',
  'payload_too_large',
  'rate_limited',
]);
export type ErrorType = z.infer<typeof ErrorType>;

/** HTTP status for each error type; one place for the whole API. */
export const errorStatus = {
  validation_error: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const satisfies Record<ErrorType, number>;

export const ErrorResponse = z
  .object({
    error: z.object({
      type: ErrorType,
      message: z.string(),
      fields: z.record(z.string(), z.string()).optional().describe('Per-field messages of a validation_error'),
    }),
  })
  .describe('Admin API error');
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/** Dashboard auth failure: a flat string, not the nested error object. */
export const DashboardAuthError = z
  .object({ error: z.literal('Authentication required') })
  .describe('Dashboard authentication failure');
export type DashboardAuthError = z.infer<typeof DashboardAuthError>;

export const GovernanceBlockCode = z.enum([
  'budget_exceeded',
  'budget_alert_exceeded',
  'rate_limited',
  'model_not_allowed',
  'tool_blocked',
  'tool_approval_required',
  'agent_disabled',
  'run_force_stopped',
  'run_blocked_after_force_stop',
  'runaway_prevention',
]);
export type GovernanceBlockCode = z.infer<typeof GovernanceBlockCode>;

/** Run, policy and agent state sent with a block so the agent can correct itself. */
export const GovernanceBlockContext = z.object({
  policy_name: z.string().optional(),
  agent_name: z.string().optional(),
  steps_used: z.number().optional(),
  max_steps_per_run: z.number().nullable().optional(),
  cost_usd: z.number().optional(),
  hard_limit_usd: z.number().nullable().optional(),
  hard_limit_tokens: z.number().nullable().optional(),
  tokens_used: z.number().optional(),
  max_cost_per_hour_usd: z.number().nullable().optional(),
});

export const GovernanceBlockResponse = z
  .object({
    error: z.object({
      type: z.literal('governance_block'),
      code: GovernanceBlockCode,
      message: z.string(),
      run_id: z.string().nullable().optional(),
      details: z.record(z.string(), z.unknown()).nullable().optional(),
      context: GovernanceBlockContext.optional(),
    }),
  })
  .describe('A policy check refused a proxy call');
export type GovernanceBlockResponse = z.infer<typeof GovernanceBlockResponse>;

export const ProxyAuthError = z
  .object({
    error: z.object({ type: z.literal('unauthorized'), message: z.string() }),
  })
  .describe('Missing or invalid agent API key');
export type ProxyAuthError = z.infer<typeof ProxyAuthError>;

export const ProviderErrorResponse = z
  .object({
    error: z.object({
      type: z.literal('provider_error'),
      message: z.string(),
      details: z
        .array(z.object({ provider: z.string(), status: z.number().int(), message: z.string() }).partial())
        .optional(),
    }),
  })
  .describe('No provider could serve the call');
export type ProviderErrorResponse = z.infer<typeof ProviderErrorResponse>;
