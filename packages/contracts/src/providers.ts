import { z } from 'zod';
import { listEnvelope, Timestamp } from './common.ts';
import { DashboardAuthError } from './errors.ts';
import { defineOperation } from './operation.ts';

export const CircuitState = z.enum(['closed', 'open', 'half_open']);
export type CircuitState = z.infer<typeof CircuitState>;

export const ProviderKeyHealth = z.object({
  provider_key_id: z.string(),
  provider: z.string(),
  state: CircuitState,
  failure_count: z.number().int(),
  last_failure_at: Timestamp.nullable(),
  last_success_at: Timestamp.nullable(),
  opened_at: Timestamp.nullable(),
  recovery_at: Timestamp.nullable(),
});
export type ProviderKeyHealth = z.infer<typeof ProviderKeyHealth>;

export const providerOperations = {
  health: defineOperation({
    operationId: 'getProviderHealth',
    method: 'GET',
    path: '/api/providers/health',
    tag: 'Providers',
    summary: 'Get provider health status',
    auth: 'dashboard',
    responses: { 200: listEnvelope(ProviderKeyHealth), 401: DashboardAuthError },
    successStatus: 200,
  }),
};
