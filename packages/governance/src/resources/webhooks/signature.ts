import { createHmac } from 'node:crypto';

/** `sha256=<hex>`: HMAC-SHA256 of the exact raw body keyed by the secret string (the GitHub convention). */
export const signBody = (body: string, secret: string): string =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export interface SignedRequest {
  body: string;
  eventType: string;
  eventId: string;
  deliveryId: string;
  secret: string;
  /** Set while a rotation's grace window is open. */
  previousSecret: string | null;
  sentAt: Date;
}

/** The headers of one delivery attempt. */
export function deliveryHeaders(request: SignedRequest): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'Rungate-Webhooks/1',
    'x-rungate-event': request.eventType,
    'x-rungate-event-id': request.eventId,
    'x-rungate-delivery-id': request.deliveryId,
    'x-rungate-timestamp': String(Math.floor(request.sentAt.getTime() / 1000)),
    'x-rungate-signature-256': signBody(request.body, request.secret),
    ...(request.previousSecret === null
      ? {}
      : { 'x-rungate-signature-256-previous': signBody(request.body, request.previousSecret) }),
  };
}
