import { z } from 'zod';
import { IdParams, listEnvelope, NullableString, Timestamp, Uuid } from './common.ts';
import { DashboardAuthError, ErrorResponse } from './errors.ts';
import { defineOperation } from './operation.ts';

export const Session = z
  .object({
    id: Uuid,
    account_id: Uuid,
    expires_at: Timestamp,
    created_at: Timestamp,
    last_active_at: Timestamp.nullable().optional(),
    ip_address: NullableString.optional(),
    user_agent: NullableString.optional(),
  })
  .describe('A signed-in dashboard session');
export type Session = z.infer<typeof Session>;

const tag = 'Sessions';
const auth = 'dashboard';

export const sessionOperations = {
  list: defineOperation({
    operationId: 'listSessions',
    method: 'GET',
    path: '/api/sessions',
    tag,
    summary: 'List sessions for current account',
    auth,
    responses: { 200: listEnvelope(Session), 400: ErrorResponse, 401: DashboardAuthError },
    successStatus: 200,
  }),
  revoke: defineOperation({
    operationId: 'revokeSession',
    method: 'DELETE',
    path: '/api/sessions/{id}',
    tag,
    summary: 'Revoke a session',
    auth,
    params: IdParams,
    responses: { 204: null, 400: ErrorResponse, 401: DashboardAuthError, 404: ErrorResponse },
    successStatus: 204,
  }),
};
