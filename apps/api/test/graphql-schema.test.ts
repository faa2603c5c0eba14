import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { printedSchema } from '../src/graphql/schema.ts';

it('matches the committed schema.graphql (run `npm run graphql:schema -w @rungate/api` after a change)', () => {
  const committed = readFileSync(new URL('../schema.graphql', import.meta.url), 'utf8');
  expect(printedSchema()).toBe(committed);
});
