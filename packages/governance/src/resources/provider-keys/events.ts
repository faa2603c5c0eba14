import type { WebhookEventType } from '@rungate/contracts';
import type { Executor } from '@rungate/db';
import type { EventActor } from '../../events/event-actor.ts';
import { recordEvent } from '../../events/outbox.ts';
import { type ProviderKeyRow, toProviderKey } from './presenter.ts';

type ProviderKeyEvent = Extract<WebhookEventType, `provider_key.${string}`>;

/** The key as the API shows it: the secret masked (or null once deleted), never in plaintext. */
export async function recordKeyEvent(
  executor: Executor,
  type: ProviderKeyEvent,
  row: ProviderKeyRow,
  actor: EventActor,
  now: Date,
): Promise<void> {
  await recordEvent(executor, { orgId: row.orgId, type, data: { provider_key: toProviderKey(row), actor } }, now);
}
