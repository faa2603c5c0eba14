import { Uuid } from '@rungate/contracts';
import { type Executor, policies } from '@rungate/db';
import { and, eq, inArray, isNull } from 'drizzle-orm';

/**
 * `policy_id` and `allowed_policies` must name live (not deleted) policies of the same org;
 * anything else is a field error, so another org's policy reads exactly like a missing one.
 */
export async function checkPolicyRefs(
  executor: Executor,
  orgId: string,
  refs: { policyId?: string | undefined; allowedPolicies?: string[] | null | undefined },
): Promise<Record<string, string>> {
  const wanted = [
    ...(refs.policyId === undefined ? [] : [{ id: refs.policyId, field: 'policy_id' }]),
    ...(refs.allowedPolicies ?? []).map((id, i) => ({ id, field: `allowed_policies.${i}` })),
  ];
  const ids = [...new Set(wanted.map((w) => w.id).filter((id) => Uuid.safeParse(id).success))];
  const rows = ids.length
    ? await executor
        .select({ id: policies.id })
        .from(policies)
        .where(and(eq(policies.orgId, orgId), inArray(policies.id, ids), isNull(policies.deletedAt)))
    : [];
  const live = new Set(rows.map((row) => row.id));
  const errors: Record<string, string> = {};
  for (const { id, field } of wanted) if (!live.has(id)) errors[field] = `Policy '${id}' not found`;
  return errors;
}
