import { z } from 'zod';
import { Slug } from './accounts.ts';
import { dataEnvelope, ResourceName } from './common.ts';
import { ErrorResponse } from './errors.ts';
import { defineOperation } from './operation.ts';

export const RegisterAccountInput = z
  .object({
    name: z.string().trim().min(1).max(100).describe('Organization name'),
    slug: Slug.optional().describe('Derived from the name when omitted'),
    agent_name: ResourceName.optional().describe('Name of the default agent (default: the slug)'),
  })
  .describe('Self-service sign-up');
export type RegisterAccountInput = z.infer<typeof RegisterAccountInput>;

export const RegisteredAccount = dataEnvelope(
  z.object({
    account: z.object({ id: z.string(), slug: z.string(), name: z.string(), tier: z.string() }),
    admin_token: z.string().describe('Plaintext admin token; shown once'),
    agent: z.object({ id: z.string(), name: z.string(), api_key: z.string().describe('Shown once') }),
    policy: z.object({ id: z.string(), name: z.string() }),
    _note: z.string().optional(),
  }),
);
export type RegisteredAccount = z.infer<typeof RegisteredAccount>;

export const registrationOperations = {
  register: defineOperation({
    operationId: 'registerAccount',
    method: 'POST',
    path: '/v1/register',
    tag: 'Registration',
    summary: 'Register a new account',
    auth: 'none',
    body: RegisterAccountInput,
    responses: { 201: RegisteredAccount, 400: ErrorResponse, 429: ErrorResponse },
    successStatus: 201,
  }),
};
