import { expect, it } from 'vitest';
import { sha256Hex } from '../../secrets/crypto.ts';
import { agentKeyHash, issueAgentKey } from './keys.ts';

it('issues rg_sk_ keys stored as their sha256 and a short prefix', () => {
  const { apiKey, apiKeyHash, apiKeyPrefix } = issueAgentKey();
  expect(apiKey).toMatch(/^rg_sk_[A-Za-z0-9]{40}$/);
  expect(apiKeyHash).toBe(sha256Hex(apiKey));
  expect(apiKey.startsWith(apiKeyPrefix)).toBe(true);
  expect(apiKeyPrefix.length).toBeLessThan(apiKey.length);
  expect(issueAgentKey().apiKey).not.toBe(apiKey);
});

it('hashes only what can be an agent key', () => {
  const { apiKey, apiKeyHash } = issueAgentKey();
  expect(agentKeyHash(apiKey)).toBe(apiKeyHash);
  expect(agentKeyHash('rg_adm_something')).toBeNull();
});
