import { expect, it } from 'vitest';
import { bindingRefs, bindingShapeErrors } from './provider-bindings.ts';

it('lists every bound key id under the field path of its error', () => {
  expect(
    bindingRefs({
      openai: 'k1',
      anthropic: [
        { key_id: 'k2', weight: 70 },
        { key_id: 'k3', weight: 30 },
      ],
    }),
  ).toEqual([
    { provider: 'openai', keyId: 'k1', field: 'provider_keys.openai' },
    { provider: 'anthropic', keyId: 'k2', field: 'provider_keys.anthropic.0.key_id' },
    { provider: 'anthropic', keyId: 'k3', field: 'provider_keys.anthropic.1.key_id' },
  ]);
});

it('refuses empty weighted lists and keys listed twice', () => {
  expect(bindingShapeErrors({ openai: 'k1', groq: [{ key_id: 'k2', weight: 1 }] })).toEqual({});
  expect(bindingShapeErrors({ groq: [] })).toEqual({ 'provider_keys.groq': 'List at least one key' });
  expect(
    bindingShapeErrors({
      groq: [
        { key_id: 'k', weight: 1 },
        { key_id: 'k', weight: 2 },
      ],
    }),
  ).toEqual({
    'provider_keys.groq.1.key_id': 'Key listed twice',
  });
});
