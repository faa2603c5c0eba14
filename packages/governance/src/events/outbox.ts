import type { WebhookEventType } from '@rungate/contracts';
import { type Executor, events } from '@rungate/db';

export interface DomainEvent {
  orgId: string;
  type: WebhookEventType;
  /** The agent concerned, if any: webhooks scoped to an agent receive only its events. */
  agentId?: string | null;
  /** The objects concerned (at least their ids), as the API presents them. */
  data: Record<string, unknown>;
}

/**
 * Queues a domain event in the transactional outbox; pass the transaction that made the change,
 * so the event exists exactly when the change committed. The webhook engine fans it out.
 */
export async function recordEvent(executor: Executor, event: DomainEvent, now: Date): Promise<void> {
  await executor
    .insert(events)
    .values({ orgId: event.orgId, type: event.type, agentId: event.agentId ?? null, data: event.data, createdAt: now });
}
