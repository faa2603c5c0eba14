import { Uuid } from '@rungate/contracts';
import { agents, type Executor } from '@rungate/db';
import { and, eq } from 'drizzle-orm';
import { invalid } from '../../errors.ts';
import { receiverUrlProblem } from './receiver-url.ts';

/** Checks a webhook's receiver URL and agent scope (an agent of the org), reporting all problems at once as a 400. */
export async function assertValidWebhook(
  db: Executor,
  orgId: string,
  input: { url?: string | undefined; agent_id?: string | null | undefined },
  blockPrivateAddresses: boolean,
): Promise<void> {
  const fields: Record<string, string> = {};
  if (input.url !== undefined) {
    const problem = receiverUrlProblem(input.url, blockPrivateAddresses);
    if (problem) fields.url = problem;
  }
  if (input.agent_id !== undefined && input.agent_id !== null) {
    const [agent] = Uuid.safeParse(input.agent_id).success
      ? await db
          .select({ id: agents.id })
          .from(agents)
          .where(and(eq(agents.id, input.agent_id), eq(agents.orgId, orgId)))
      : [];
    if (!agent) fields.agent_id = `Agent '${input.agent_id}' not found`;
  }
  if (Object.keys(fields).length > 0) throw invalid('Invalid webhook', fields);
}
