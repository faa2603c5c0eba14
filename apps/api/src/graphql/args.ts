import { invalid } from '@rungate/governance';
import type { z } from 'zod';

/** Arguments go through the same contract as REST, so a bad value is a validation error with fields, not a database error. */
export function parseArgs<S extends z.ZodType>(schema: S, args: unknown): z.output<S> {
  const parsed = schema.safeParse(args);
  if (parsed.success) return parsed.data;
  const fields = Object.fromEntries(
    parsed.error.issues.map((issue) => [issue.path.join('.') || 'args', issue.message]),
  );
  throw invalid('Invalid arguments', fields);
}
