import { isDeepStrictEqual } from 'node:util';

type JsonObject = Record<string, unknown>;

const isPlainObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * PUT semantics for policies: nested objects merge key by key; arrays, scalars and `null`
 * replace (so an explicit null clears a nullable field); `undefined` leaves a key alone.
 * Dotted paths in `replaceWhole` are objects that a patch replaces instead of merging.
 * Neither argument is mutated and the result shares no objects with them.
 */
export function deepMerge<T extends object>(base: T, patch: object, replaceWhole: ReadonlySet<string> = new Set()): T {
  const result = structuredClone(base) as JsonObject;
  mergeInto(result, patch as JsonObject, replaceWhole, '');
  return result as T;
}

function mergeInto(target: JsonObject, patch: JsonObject, replaceWhole: ReadonlySet<string>, path: string): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const at = path ? `${path}.${key}` : key;
    const current = target[key];
    if (isPlainObject(value) && isPlainObject(current) && !replaceWhole.has(at)) {
      mergeInto(current, value, replaceWhole, at);
    } else {
      target[key] = structuredClone(value);
    }
  }
}

/** Top-level keys (from `keys`) whose values differ between two versions of an object. */
export function changedKeys<K extends string>(before: object, after: object, keys: readonly K[]): K[] {
  const [a, b] = [before as Partial<Record<K, unknown>>, after as Partial<Record<K, unknown>>];
  return keys.filter((key) => !isDeepStrictEqual(a[key], b[key]));
}
