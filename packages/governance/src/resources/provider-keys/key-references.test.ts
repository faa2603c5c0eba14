import { describe, expect, it } from 'vitest';
import { entryKeyIds, peerKeyIds, referencesKey, remapKey } from './key-references.ts';

const OLD = 'k-old';
const NEW = 'k-new';

describe('agent provider_keys references', () => {
  const map = {
    openai: [
      { key_id: OLD, weight: 70 },
      { key_id: 'k-other', weight: 30 },
    ],
    anthropic: 'k-ant',
  };

  it('finds a key as a single id or in a weighted list', () => {
    expect(referencesKey(map, OLD)).toBe(true);
    expect(referencesKey(map, 'k-ant')).toBe(true);
    expect(referencesKey(map, 'k-none')).toBe(false);
    expect(referencesKey({}, OLD)).toBe(false);
  });

  it('tolerates malformed entries', () => {
    expect(entryKeyIds(42 as never)).toEqual([]);
    expect(entryKeyIds([{ weight: 1 }, null, { key_id: 'x', weight: 1 }] as never)).toEqual(['x']);
  });

  it('lists the peers sharing an entry with the key', () => {
    expect(peerKeyIds(map, OLD)).toEqual(['k-other']);
    expect(peerKeyIds(map, 'k-ant')).toEqual([]);
  });

  it('remaps single ids and weighted lists, leaving other entries alone', () => {
    expect(remapKey({ openai: OLD, anthropic: 'k-ant' }, OLD, NEW)).toEqual({ openai: NEW, anthropic: 'k-ant' });
    expect(remapKey(map, OLD, NEW)).toEqual({
      openai: [
        { key_id: NEW, weight: 70 },
        { key_id: 'k-other', weight: 30 },
      ],
      anthropic: 'k-ant',
    });
  });

  it('merges weights when the replacement is already in the list', () => {
    const both = {
      openai: [
        { key_id: NEW, weight: 40 },
        { key_id: OLD, weight: 60 },
        { key_id: 'k-x', weight: 10 },
      ],
    };
    expect(remapKey(both, OLD, NEW)).toEqual({
      openai: [
        { key_id: NEW, weight: 100 },
        { key_id: 'k-x', weight: 10 },
      ],
    });
    expect(both.openai).toHaveLength(3);
  });
});
