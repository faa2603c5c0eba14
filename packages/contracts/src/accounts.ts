import { z } from 'zod';
import { dataEnvelope, Timestamp, Uuid } from './common.ts';
import { DashboardAuthError, ErrorResponse } from './errors.ts';
import { defineOperation } from './operation.ts';

export const AccountTier = z.enum(['free', 'pro', 'growth', 'enterprise']);
export type AccountTier = z.infer<typeof AccountTier>;

export const AccountStatus = z.enum(['active', 'suspended', 'cancelled', 'pending']);
export type AccountStatus = z.infer<typeof AccountStatus>;

/** Slugs that would clash with our own routes or names. */
export const reservedSlugs: ReadonlySet<string> = new Set([
  'admin',
  'api',
  'app',
  'auth',
  'dashboard',
  'docs',
  'graphql',
  'health',
  'login',
  'logout',
  'register',
  'rungate',
  'settings',
  'static',
  'trpc',
  'v1',
  'www',
]);

/** 3–50 characters of lowercase letters, digits and inner hyphens. */
export const Slug = z
  .string()
  .min(3)
  .max(50)
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'Use lowercase letters, digits and hyphens')
  .refine((slug) => !reservedSlugs.has(slug), 'This slug is reserved');

export const Account = z
  .object({
    id: Uuid,
    slug: z.string().describe('URL-safe identifier, e.g. acme-corp'),
    name: z.string(),
    tier: AccountTier,
    email: z.email().nullable().optional(),
    status: AccountStatus,
    is_hosted: z.boolean(),
    monthly_step_count: z.number().int().optional(),
    monthly_step_count_reset_at: Timestamp.nullable().optional(),
    step_limit_override: z.number().int().nullable().optional().describe('Null uses the tier limit'),
    created_at: Timestamp,
    updated_at: Timestamp,
  })
  .describe('An org: owns agents, policies and provider keys');
export type Account = z.infer<typeof Account>;

export const CreateAccountInput = z
  .object({
    slug: Slug,
    name: z.string().min(1).max(255),
    email: z.email().nullable().optional(),
    tier: AccountTier.default('free'),
    status: AccountStatus.default('active'),
    is_hosted: z.boolean().default(false),
    step_limit_override: z.number().int().nonnegative().nullable().optional(),
  })
  .describe('New account (platform API)');
export type CreateAccountInput = z.infer<typeof CreateAccountInput>;

export const UpdateAccountInput = z.object({ name: z.string().min(1).max(255) });
export type UpdateAccountInput = z.infer<typeof UpdateAccountInput>;

const AccountResult = dataEnvelope(Account);
const tag = 'Accounts';
const auth = 'dashboard';

export const accountOperations = {
  getCurrent: defineOperation({
    operationId: 'getCurrentAccount',
    method: 'GET',
    path: '/api/account',
    tag,
    summary: 'Get current account (self-inspection)',
    auth,
    responses: { 200: AccountResult, 401: DashboardAuthError, 403: ErrorResponse, 404: ErrorResponse },
    successStatus: 200,
  }),
  updateCurrent: defineOperation({
    operationId: 'updateCurrentAccount',
    method: 'PUT',
    path: '/api/account',
    tag,
    summary: 'Update current account',
    auth,
    body: UpdateAccountInput,
    responses: { 200: AccountResult, 400: ErrorResponse, 401: DashboardAuthError, 403: ErrorResponse },
    successStatus: 200,
  }),
};
