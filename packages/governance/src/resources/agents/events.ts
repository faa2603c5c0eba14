import type { Agent } from '@rungate/contracts';
import type { Executor } from '@rungate/db';
import type { EventActor } from '../../events/event-actor.ts';
import { recordEvent } from '../../events/outbox.ts';
import { type AgentRow, toAgent } from './presenter.ts';

/** Bookkeeping fields every write touches; they alone do not make a change worth an event. */
const BOOKKEEPING = new Set<keyof Agent>(['updated_at', 'updated_by', 'updated_by_token_id']);

/** Top-level fields of the API object that differ between two versions of an agent row. */
export function changedAgentFields(before: AgentRow, after: AgentRow): string[] {
  const old = toAgent(before);
  const now = toAgent(after);
  return (Object.keys(now) as (keyof Agent)[]).filter(
    (key) => !BOOKKEEPING.has(key) && JSON.stringify(old[key]) !== JSON.stringify(now[key]),
  );
}

export async function recordAgentCreated(
  executor: Executor,
  row: AgentRow,
  actor: EventActor,
  now: Date,
): Promise<void> {
  await recordEvent(
    executor,
    { orgId: row.orgId, agentId: row.id, type: 'agent.created', data: { agent: toAgent(row), actor } },
    now,
  );
}

/**
 * Exactly one event per change: `agent.disabled` when the status moves to disabled (whatever
 * else changed with it), `agent.updated` for any other change, nothing when no field changed.
 */
export async function recordAgentChange(
  executor: Executor,
  before: AgentRow,
  after: AgentRow,
  actor: EventActor,
  now: Date,
): Promise<void> {
  const changed = changedAgentFields(before, after);
  if (changed.length === 0) return;
  const type = after.status === 'disabled' && before.status !== 'disabled' ? 'agent.disabled' : 'agent.updated';
  await recordEvent(
    executor,
    { orgId: after.orgId, agentId: after.id, type, data: { agent: toAgent(after), changed_fields: changed, actor } },
    now,
  );
}

/** An `agent.updated` for a change another resource made to the agent (a key remap, an owner leaving). */
export async function recordAgentUpdated(
  executor: Executor,
  after: AgentRow,
  changedFields: string[],
  actor: EventActor,
  now: Date,
): Promise<void> {
  await recordEvent(
    executor,
    {
      orgId: after.orgId,
      agentId: after.id,
      type: 'agent.updated',
      data: { agent: toAgent(after), changed_fields: changedFields, actor },
    },
    now,
  );
}
