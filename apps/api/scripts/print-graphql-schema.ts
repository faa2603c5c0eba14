import { writeFileSync } from 'node:fs';
import { printedSchema } from '../src/graphql/schema.ts';

/** Writes schema.graphql, committed so schema changes show up in review. */
writeFileSync(new URL('../schema.graphql', import.meta.url), printedSchema());
