import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueSecret, maskSecret, SecretBox, sha256Hex } from './crypto.ts';

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('round-trips and never repeats a ciphertext', () => {
    const a = box.encrypt('sk-live-123');
    const b = box.encrypt('sk-live-123');
    expect(a).not.toBe(b);
    expect(a).not.toContain('sk-live');
    expect(box.decrypt(a)).toBe('sk-live-123');
  });

  it('refuses tampered ciphertext and a wrong key', () => {
    const sealed = box.encrypt('secret');
    const parts = sealed.split(':');
    parts[3] = Buffer.from('tampered').toString('base64url');
    expect(() => box.decrypt(parts.join(':'))).toThrow();
    expect(() => new SecretBox(randomBytes(32)).decrypt(sealed)).toThrow();
  });
});

describe('issueSecret', () => {
  it('returns a prefixed secret, its sha256 and an 11-character display prefix', () => {
    const { secret, hash, displayPrefix } = issueSecret('rg_adm_');
    expect(secret).toMatch(/^rg_adm_[A-Za-z0-9]{40}$/);
    expect(hash).toBe(sha256Hex(secret));
    expect(displayPrefix).toBe(secret.slice(0, 11));
  });
});

describe('maskSecret', () => {
  it('keeps only the ends', () => {
    expect(maskSecret('sk-abcdefghijklmnop1234')).toBe('sk-...1234');
    expect(maskSecret('short')).toBe('****');
  });
});
