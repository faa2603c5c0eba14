/**
 * The first free name in `base`, `base-2`, `base-3`, ... given the names already taken.
 * Create auto-suffixes (the spec's "my-agent-2"); upsert by name never does.
 */
export function firstFreeName(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** The `_note` a create response carries when the name was suffixed. */
export function suffixNote(requested: string, given: string): string | undefined {
  return requested === given ? undefined : `Name '${requested}' is taken; the agent was created as '${given}'`;
}
