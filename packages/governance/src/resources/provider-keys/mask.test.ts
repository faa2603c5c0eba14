import { describe, expect, it } from 'vitest';
import { lastFourOf, maskApiKey } from './mask.ts';

describe('provider key masking', () => {
  it('shows only the last four characters of a real key', () => {
    expect(maskApiKey(true, lastFourOf('sk-proj-abcdefgh1234'))).toBe('...1234');
  });

  it('shows nothing of a short key, and null once the secret is gone', () => {
    expect(lastFourOf('12345678')).toBeNull();
    expect(maskApiKey(true, null)).toBe('****');
    expect(maskApiKey(false, '1234')).toBeNull();
  });
});
