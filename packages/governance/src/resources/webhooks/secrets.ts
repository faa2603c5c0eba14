import { randomToken } from '../../secrets/crypto.ts';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/** How long a rotated-out secret keeps signing `X-Rungate-Signature-256-Previous`. */
export const ROTATION_GRACE_MS = 10 * 60_000;

/**
 * How secrets appear on reads. Nothing of the secret is shown, so reads never decrypt it: a
 * webhook stays readable (and its secret replaceable with PUT) even if the encryption key changed.
 */
export const MASKED_SECRET = '********';

export const generateWebhookSecret = (): string => `${WEBHOOK_SECRET_PREFIX}${randomToken(32)}`;

/** True while a rotation's grace window is open: the previous secret still signs deliveries. */
export function graceWindowOpen(
  row: { previousSecretEncrypted: string | null; previousSecretExpiresAt: Date | null },
  now: Date,
): boolean {
  return (
    row.previousSecretEncrypted !== null &&
    row.previousSecretExpiresAt !== null &&
    row.previousSecretExpiresAt.getTime() > now.getTime()
  );
}
