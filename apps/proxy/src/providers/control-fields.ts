import type { JsonObject } from './types.ts';

/**
 * Rungate's run controls. Clients may send them as headers or as top-level body fields of the
 * same name (headers win); the body fields are never forwarded upstream.
 */
export const RUNGATE_CONTROL_FIELDS = [
  'x-rungate-run-id',
  'x-rungate-run-policy',
  'x-rungate-run-name',
  'x-rungate-run-metadata',
  'x-rungate-new-run',
] as const;

export type RungateControlField = (typeof RUNGATE_CONTROL_FIELDS)[number];

const CONTROL_FIELD_SET: ReadonlySet<string> = new Set(RUNGATE_CONTROL_FIELDS);

/** Splits a client body into Rungate's controls (raw values, as sent) and the provider body. */
export function splitControlFields(body: JsonObject): {
  controls: Partial<Record<RungateControlField, unknown>>;
  rest: JsonObject;
} {
  const controls: Partial<Record<RungateControlField, unknown>> = {};
  const rest: JsonObject = {};
  for (const [key, value] of Object.entries(body)) {
    if (CONTROL_FIELD_SET.has(key)) controls[key as RungateControlField] = value;
    else rest[key] = value;
  }
  return { controls, rest };
}
