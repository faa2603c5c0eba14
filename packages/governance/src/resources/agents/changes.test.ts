import { expect, it } from 'vitest';
import { changedColumns } from './changes.ts';

it('writes only the fields the body carries, keeping explicit nulls', () => {
  expect(changedColumns({})).toEqual({});
  expect(changedColumns({ description: null, status: 'disabled', routing_override: null })).toEqual({
    description: null,
    status: 'disabled',
    routingOverride: null,
  });
  expect(
    changedColumns({
      name: 'n',
      policy_id: 'p',
      provider_keys: { openai: 'k' },
      allowed_policies: null,
      metadata: {},
      member_id: 'm',
    }),
  ).toEqual({
    name: 'n',
    policyId: 'p',
    providerKeys: { openai: 'k' },
    allowedPolicies: null,
    metadata: {},
    memberId: 'm',
  });
});
