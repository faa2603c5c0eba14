import type { PolicyView } from '../resources/policies/presenter.ts';

export interface PolicySelection {
  policy: PolicyView;
  /** Set when the run asked for a policy it could not have. */
  fallbackReason: 'not_found' | 'not_allowed' | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The policy a call runs under: the agent's default, or the per-run policy it names (by id or
 * name) when `allowed_policies` permits it. An unknown or forbidden choice falls back to the
 * default and says why, so the agent can see it in the response headers.
 */
export async function selectPolicy(args: {
  requested: string | null;
  defaultPolicy: PolicyView;
  allowedPolicies: string[] | null;
  findPolicy: (by: { id: string } | { name: string }) => Promise<PolicyView | null>;
}): Promise<PolicySelection> {
  const { requested, defaultPolicy, allowedPolicies } = args;
  if (!requested || requested === defaultPolicy.id || requested === defaultPolicy.name)
    return { policy: defaultPolicy, fallbackReason: null };
  const found = await args.findPolicy(UUID.test(requested) ? { id: requested.toLowerCase() } : { name: requested });
  if (!found) return { policy: defaultPolicy, fallbackReason: 'not_found' };
  if (allowedPolicies !== null && !allowedPolicies.includes(found.id))
    return { policy: defaultPolicy, fallbackReason: 'not_allowed' };
  return { policy: found, fallbackReason: null };
}
