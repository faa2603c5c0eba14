import type { AgentProviderKeys } from '@rungate/contracts';
import { Uuid } from '@rungate/contracts';
import { type Executor, members } from '@rungate/db';
import { and, eq } from 'drizzle-orm';
import { invalid } from '../../errors.ts';
import { checkPolicyRefs } from './policy-refs.ts';
import { checkProviderBindings } from './provider-bindings.ts';

export interface AgentRefs {
  policyId?: string | undefined;
  allowedPolicies?: string[] | null | undefined;
  providerKeys?: AgentProviderKeys | undefined;
  /** New owner; null clears it. */
  memberId?: string | null | undefined;
}

async function checkMember(
  executor: Executor,
  orgId: string,
  memberId: string | null | undefined,
): Promise<Record<string, string>> {
  if (memberId === null || memberId === undefined) return {};
  const [row] = Uuid.safeParse(memberId).success
    ? await executor
        .select({ id: members.id })
        .from(members)
        .where(and(eq(members.id, memberId), eq(members.orgId, orgId), eq(members.status, 'active')))
    : [];
  return row ? {} : { member_id: `Member '${memberId}' not found` };
}

/** Checks every id an agent refers to against the org, reporting all problems at once as a 400. */
export async function assertAgentRefs(executor: Executor, orgId: string, refs: AgentRefs): Promise<void> {
  const fields = {
    ...(await checkPolicyRefs(executor, orgId, refs)),
    ...(refs.providerKeys ? await checkProviderBindings(executor, orgId, refs.providerKeys) : {}),
    ...(await checkMember(executor, orgId, refs.memberId)),
  };
  if (Object.keys(fields).length) throw invalid('Invalid agent references', fields);
}
