import { describe, expect, it } from 'vitest';
import { firstMatch, globMatch, isGlob } from './glob.ts';

describe('globMatch', () => {
  it('matches literal patterns exactly', () => {
    expect(globMatch('gpt-4o', 'gpt-4o')).toBe(true);
    expect(globMatch('gpt-4o', 'gpt-4o-mini')).toBe(false);
    expect(globMatch('gpt-4o', 'my-gpt-4o')).toBe(false);
    expect(globMatch('', '')).toBe(true);
    expect(globMatch('', 'a')).toBe(false);
  });

  it('lets * match any run of characters, including none, anchored at both ends', () => {
    expect(globMatch('gpt-*', 'gpt-4o')).toBe(true);
    expect(globMatch('gpt-*', 'gpt-')).toBe(true);
    expect(globMatch('gpt-*', 'my-gpt-4o')).toBe(false);
    expect(globMatch('*-mini', 'gpt-4o-mini')).toBe(true);
    expect(globMatch('*-mini', 'gpt-4o-mini-2024')).toBe(false);
    expect(globMatch('claude-*-haiku*', 'claude-3-5-haiku-latest')).toBe(true);
    expect(globMatch('*', 'anything/at all\nreally')).toBe(true);
    expect(globMatch('*', '')).toBe(true);
  });

  it('lets ? match exactly one character', () => {
    expect(globMatch('gpt-?o', 'gpt-4o')).toBe(true);
    expect(globMatch('gpt-?o', 'gpt-o')).toBe(false);
    expect(globMatch('gpt-?o', 'gpt-45o')).toBe(false);
    expect(globMatch('tool_?', 'tool_é')).toBe(true);
    expect(globMatch('tool_?', 'tool_😀')).toBe(true);
  });

  it('is case-sensitive', () => {
    expect(globMatch('GPT-*', 'gpt-4o')).toBe(false);
    expect(globMatch('Bash', 'bash')).toBe(false);
  });

  it('treats regular-expression characters as literals', () => {
    expect(globMatch('gpt-4.1', 'gpt-4.1')).toBe(true);
    expect(globMatch('gpt-4.1', 'gpt-4x1')).toBe(false);
    expect(globMatch('a+b*', 'a+bc')).toBe(true);
    expect(globMatch('a+b*', 'aab')).toBe(false);
    expect(globMatch('mcp__(fs)[1]{2}|^$\\/*', 'mcp__(fs)[1]{2}|^$\\/read')).toBe(true);
    expect(globMatch('(.*)', 'x')).toBe(false);
  });

  it('gives the same answers from its cache', () => {
    for (let i = 0; i < 3; i++) {
      expect(globMatch('web_*', 'web_search')).toBe(true);
      expect(globMatch('web_*', 'websearch')).toBe(false);
    }
  });

  it('survives more distinct patterns than it caches', () => {
    for (let i = 0; i < 5000; i++) expect(globMatch(`tool-${i}-*`, `tool-${i}-x`)).toBe(true);
    expect(globMatch('tool-1-*', 'tool-2-x')).toBe(false);
  });
});

describe('helpers', () => {
  it('isGlob tells patterns from names', () => {
    expect(isGlob('gpt-*')).toBe(true);
    expect(isGlob('gpt-?')).toBe(true);
    expect(isGlob('gpt-4o')).toBe(false);
  });

  it('firstMatch returns the first matching pattern in list order', () => {
    expect(firstMatch(['claude-*', 'gpt-*', 'gpt-4o'], 'gpt-4o')).toBe('gpt-*');
    expect(firstMatch(['claude-*'], 'gpt-4o')).toBeUndefined();
    expect(firstMatch(undefined, 'gpt-4o')).toBeUndefined();
  });
});
