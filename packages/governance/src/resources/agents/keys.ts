import { issueSecret, sha256Hex } from '../../secrets/crypto.ts';

export const AGENT_KEY_PREFIX = 'rg_sk_';

/** A fresh agent key: the plaintext goes to the caller once, only the hash and prefix are stored. */
export function issueAgentKey(): { apiKey: string; apiKeyHash: string; apiKeyPrefix: string } {
  const { secret, hash, displayPrefix } = issueSecret(AGENT_KEY_PREFIX);
  return { apiKey: secret, apiKeyHash: hash, apiKeyPrefix: displayPrefix };
}

/** The stored hash a presented key must match; null when it cannot be an agent key at all. */
export function agentKeyHash(plaintext: string): string | null {
  return plaintext.startsWith(AGENT_KEY_PREFIX) ? sha256Hex(plaintext) : null;
}
