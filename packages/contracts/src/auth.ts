import { z } from 'zod';
import { dataEnvelope, Timestamp } from './common.ts';
import { DashboardAuthError, ErrorResponse } from './errors.ts';
import { AssignableRole, Member } from './members.ts';
import { defineOperation } from './operation.ts';

// ---- magic link -----------------------------------------------------------

export const AuthConfig = dataEnvelope(z.object({ devMode: z.boolean().describe('Emails are logged, not sent') }));

export const StartAuthInput = z.object({ email: z.email() });
export type StartAuthInput = z.infer<typeof StartAuthInput>;

export const StartAuthResult = dataEnvelope(z.object({ message: z.string(), devMode: z.boolean() }));

/** Either the link token, or the 6-digit code with its email. */
export const VerifyAuthInput = z
  .object({
    token: z.string().min(1).optional().describe('Token from the magic link'),
    code: z
      .string()
      .regex(/^\d{6}$/, 'Six digits')
      .optional(),
    email: z.email().optional().describe('Required with code'),
  })
  .refine((input) => input.token !== undefined || (input.code !== undefined && input.email !== undefined), {
    message: 'Send token, or code with email',
  });
export type VerifyAuthInput = z.infer<typeof VerifyAuthInput>;

export const VerifyAuthResult = dataEnvelope(z.object({ isNewUser: z.boolean() }));

export const SessionAccount = z.object({
  id: z.string(),
  status: z.enum(['pending', 'active']),
  email: z.string(),
  name: z.string(),
  slug: z.string(),
  tier: z.string(),
});

export const AuthSession = dataEnvelope(z.object({ account: SessionAccount, scopes: z.array(z.string()) }));
export type AuthSession = z.infer<typeof AuthSession>;

export const CompleteRegistrationInput = z.object({
  name: z.string().trim().min(1).max(100),
  admin_token: z.string().min(1).optional().describe('Claim the account this token belongs to'),
});
export type CompleteRegistrationInput = z.infer<typeof CompleteRegistrationInput>;

export const CompletedRegistration = dataEnvelope(
  z.object({
    account: z.object({
      id: z.string(),
      status: z.string(),
      email: z.string(),
      name: z.string(),
      slug: z.string(),
      tier: z.string(),
    }),
    admin_token: z.string().optional().describe('New accounts only; shown once'),
    agent: z.object({ id: z.string(), name: z.string(), api_key: z.string() }).optional(),
    claimed: z.boolean().optional(),
  }),
);
export type CompletedRegistration = z.infer<typeof CompletedRegistration>;

// ---- invitation acceptance ------------------------------------------------

export const InvitationTokenQuery = z.object({ token: z.string().min(1) });

/** Not detailed by the spec: what the acceptance page needs to show. */
export const InvitationPreview = dataEnvelope(
  z.object({
    email: z.email(),
    role: AssignableRole,
    org_name: z.string(),
    invited_by: z.string().describe('Display name or email of the inviter'),
    expires_at: Timestamp,
  }),
);
export type InvitationPreview = z.infer<typeof InvitationPreview>;

export const AcceptInvitationInput = z.object({
  token: z.string().min(1),
  display_name: z.string().trim().min(1).max(100),
});
export type AcceptInvitationInput = z.infer<typeof AcceptInvitationInput>;

/** Not detailed by the spec: the new member; the session arrives as a cookie. */
export const AcceptedInvitation = dataEnvelope(z.object({ member: Member }));
export type AcceptedInvitation = z.infer<typeof AcceptedInvitation>;

const tag = 'Auth';
const auth = 'none';

export const authOperations = {
  invitationByToken: defineOperation({
    operationId: 'getInvitationByToken',
    method: 'GET',
    path: '/auth/invitation-by-token',
    tag,
    summary: 'Get invitation details by token',
    auth,
    query: InvitationTokenQuery,
    responses: { 200: InvitationPreview, 404: ErrorResponse },
    successStatus: 200,
  }),
  acceptInvitation: defineOperation({
    operationId: 'acceptInvitation',
    method: 'POST',
    path: '/auth/accept-invitation',
    tag,
    summary: 'Accept an invitation',
    auth,
    body: AcceptInvitationInput,
    responses: {
      200: AcceptedInvitation,
      404: ErrorResponse,
      409: ErrorResponse,
      410: ErrorResponse,
      429: ErrorResponse,
    },
    successStatus: 200,
  }),
  config: defineOperation({
    operationId: 'getAuthConfig',
    method: 'GET',
    path: '/auth/config',
    tag,
    summary: 'Get auth configuration',
    auth,
    responses: { 200: AuthConfig },
    successStatus: 200,
  }),
  start: defineOperation({
    operationId: 'startAuth',
    method: 'POST',
    path: '/auth/start',
    tag,
    summary: 'Initiate magic link authentication',
    auth,
    body: StartAuthInput,
    responses: { 200: StartAuthResult, 400: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse },
    successStatus: 200,
  }),
  verify: defineOperation({
    operationId: 'verifyAuth',
    method: 'POST',
    path: '/auth/verify',
    tag,
    summary: 'Verify magic link token or code',
    auth,
    body: VerifyAuthInput,
    responses: { 200: VerifyAuthResult, 400: ErrorResponse, 401: ErrorResponse, 429: ErrorResponse },
    successStatus: 200,
  }),
  session: defineOperation({
    operationId: 'getAuthSession',
    method: 'GET',
    path: '/auth/session',
    tag,
    summary: 'Get current session',
    auth,
    responses: { 200: AuthSession, 401: DashboardAuthError },
    successStatus: 200,
  }),
  completeRegistration: defineOperation({
    operationId: 'completeRegistration',
    method: 'POST',
    path: '/auth/complete-registration',
    tag,
    summary: 'Complete pending account registration',
    auth,
    body: CompleteRegistrationInput,
    responses: {
      200: CompletedRegistration,
      400: ErrorResponse,
      401: DashboardAuthError,
      403: ErrorResponse,
      429: ErrorResponse,
    },
    successStatus: 200,
  }),
  logout: defineOperation({
    operationId: 'logout',
    method: 'POST',
    path: '/auth/logout',
    tag,
    summary: 'Log out',
    auth,
    responses: { 204: null },
    successStatus: 204,
  }),
};
