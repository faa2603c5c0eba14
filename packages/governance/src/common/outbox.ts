import { events, type Executor } from '@rungate/db';

/**
 * Queues a domain event in the transactional outbox; pass the transaction that made the change,
 * so the event exists exactly when the change committed. The webhook worker fans it out.
 */
export async function recordEvent(executor: Executor, orgId: string, type: string, data: Record<string, unknown>, now: Date): Promise<void> {
  await executor.insert(events).values({ orgId, type, data, createdAt: now });
}
