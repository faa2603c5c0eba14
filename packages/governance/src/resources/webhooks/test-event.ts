import { randomUUID } from 'node:crypto';
import { serializePayload } from './payload.ts';
import type { WebhookRow } from './presenter.ts';
import type { SendResult } from './send.ts';

/** The `webhook.test` event: a fresh id and the webhook it was sent to. */
export function testEvent(hook: WebhookRow, now: Date): { eventId: string; payload: string } {
  const eventId = randomUUID();
  const payload = serializePayload({
    id: eventId,
    type: 'webhook.test',
    created_at: now.toISOString(),
    org_id: hook.orgId,
    data: { webhook: { id: hook.id, name: hook.name, url: hook.url }, message: 'Test event from Rungate' },
  });
  return { eventId, payload };
}

/** The answer's `message`, and a `warning` when regular events would not reach this webhook as they should. */
export function describeTestOutcome(hook: WebhookRow, result: SendResult): { message: string; warning?: string } {
  const message = result.ok
    ? `Test event delivered (HTTP ${result.status})`
    : `Test event not delivered: ${result.error}`;
  if (hook.status === 'paused')
    return { message, warning: 'Webhook is paused: events are not delivered until it is enabled' };
  if (hook.status === 'failing')
    return { message, warning: `Webhook is failing: its last ${hook.failureCount} delivery attempts failed` };
  return { message };
}
