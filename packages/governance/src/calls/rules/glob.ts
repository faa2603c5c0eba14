/**
 * Glob patterns as policies and price overrides write them: `*` matches any run of characters
 * (including none), `?` exactly one character (code point); everything else is literal. Matching is case-sensitive
 * and anchored at both ends, so `gpt-4o` never matches `gpt-4o-mini` and `gpt-*` never matches
 * `my-gpt-4`.
 */

// Patterns come from policies (a few dozen per org), so a bounded cache holds them all; the
// bound only stops a stream of distinct patterns from growing memory without limit.
const MAX_CACHED_PATTERNS = 2048;
const compiled = new Map<string, RegExp | string>();

export function isGlob(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}

function compile(pattern: string): RegExp | string {
  if (!isGlob(pattern)) return pattern;
  let source = '';
  for (const char of pattern) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[\\^$.|+()[\]{}/]/g, '\\$&');
  }
  // `s` so `*` and `?` also cross newlines: a model or tool name is opaque text.
  return new RegExp(`^${source}$`, 'su');
}

function matcher(pattern: string): RegExp | string {
  let found = compiled.get(pattern);
  if (found === undefined) {
    if (compiled.size >= MAX_CACHED_PATTERNS) compiled.clear();
    found = compile(pattern);
    compiled.set(pattern, found);
  }
  return found;
}

export function globMatch(pattern: string, value: string): boolean {
  const m = matcher(pattern);
  return typeof m === 'string' ? m === value : m.test(value);
}

/** The first pattern of `patterns` that matches `value`, or undefined. */
export function firstMatch(patterns: readonly string[] | null | undefined, value: string): string | undefined {
  if (!patterns) return undefined;
  for (const pattern of patterns) if (globMatch(pattern, value)) return pattern;
  return undefined;
}
