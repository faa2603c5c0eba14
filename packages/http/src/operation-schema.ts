import { type Operation, rejectNulCharacters } from '@rungate/contracts';
import { z } from 'zod';

/** What a route handler receives for one part of an operation's request, once validated. */
export type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/**
 * The Fastify validation schema of a spec operation, as `defineRoute` registers it: params,
 * query and body from its contract, NUL characters refused everywhere.
 */
export function operationSchema(operation: Operation) {
  return {
    ...(operation.params ? { params: rejectNulCharacters(operation.params) } : {}),
    ...(operation.query ? { querystring: rejectNulCharacters(operation.query) } : {}),
    // Fastify validates an absent body as null; contracts model an optional body as undefined.
    ...(operation.body
      ? { body: rejectNulCharacters(z.preprocess((value) => value ?? undefined, operation.body)) }
      : {}),
  };
}
