import { isTrpcError } from './trpc.ts';

export interface FormError {
  message: string;
  /** Field path (e.g. `name`, `budget.hard_limit_usd`) to message. */
  fields: Record<string, string>;
}

/** The API's errorFormatter sends zod's `fieldErrors` (arrays) or a service's `fields` (strings). */
function normalizeFields(raw: unknown): Record<string, string> {
  if (!raw || typeof raw !== 'object') return {};
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    const message = Array.isArray(value) ? value.join(' ') : typeof value === 'string' ? value : '';
    if (message) fields[key] = message;
  }
  return fields;
}

export function toFormError(error: unknown): FormError | null {
  if (!error) return null;
  if (isTrpcError(error)) {
    const fields = normalizeFields(error.data?.fields);
    // Input validation messages are zod's JSON dump; the per-field messages say it better.
    const message = Object.keys(fields).length > 0 ? 'Please correct the highlighted fields.' : error.message;
    return { message, fields };
  }
  return { message: error instanceof Error ? error.message : 'Something went wrong.', fields: {} };
}

/** Zod reports nested paths under their top-level key (`budget`), services under the full path. */
export function fieldError(error: FormError | null, path: string): string | undefined {
  if (!error) return undefined;
  if (error.fields[path]) return error.fields[path];
  const parent = Object.keys(error.fields).find((key) => path.startsWith(`${key}.`));
  return parent ? error.fields[parent] : undefined;
}

/** Field errors no input on the form claims, so they are not lost. */
export function unclaimedFields(error: FormError | null, paths: readonly string[]): [string, string][] {
  if (!error) return [];
  return Object.entries(error.fields).filter(
    ([key]) => !paths.some((path) => path === key || path.startsWith(`${key}.`)),
  );
}
