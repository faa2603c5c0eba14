import type { JsonObject } from './types.ts';

/** Narrowing helpers for provider JSON, which is never trusted to have the documented shape. */

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringField(object: JsonObject, key: string): string | null {
  const value = object[key];
  return typeof value === 'string' ? value : null;
}

/** A non-negative finite number, else null. */
export function countField(object: JsonObject, key: string): number | null {
  const value = object[key];
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

export function objectField(object: JsonObject, key: string): JsonObject | null {
  const value = object[key];
  return isObject(value) ? value : null;
}

/** The object elements of an array field (other elements are skipped). */
export function objectsField(object: JsonObject, key: string): JsonObject[] {
  const value = object[key];
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** Unique, non-empty names in first-seen order. */
export function uniqueNames(names: Iterable<string | null>): string[] {
  const seen = new Set<string>();
  for (const name of names) if (name) seen.add(name);
  return [...seen];
}

/** Parses SSE event data; null when it is not a JSON object. */
export function parseJsonObject(text: string): JsonObject | null {
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : null;
  } catch {
    return null;
  }
}
