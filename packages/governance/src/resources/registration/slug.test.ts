import { Slug } from '@rungate/contracts';
import { expect, it } from 'vitest';
import { slugCandidate, slugFromName } from './slug.ts';

it('derives valid slugs from any name', () => {
  expect(slugFromName('Acme Corp!')).toBe('acme-corp');
  expect(slugFromName('Zürich Labs')).toBe('zurich-labs');
  for (const name of ['A', '!!!', 'api', 'x'.repeat(120), '--a--b--']) {
    expect(Slug.safeParse(slugFromName(name)).success, name).toBe(true);
  }
});

it('suffixes taken slugs within the length limit', () => {
  expect(slugCandidate('acme', 1)).toBe('acme');
  expect(slugCandidate('acme', 2)).toBe('acme-2');
  expect(slugCandidate('a'.repeat(50), 12)).toHaveLength(50);
});
