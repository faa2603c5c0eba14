import { expect, it } from 'vitest';
import { firstFreeName, suffixNote } from './names.ts';

it('keeps a free name and suffixes a taken one with the first free number', () => {
  expect(firstFreeName('bot', new Set())).toBe('bot');
  expect(firstFreeName('bot', new Set(['bot']))).toBe('bot-2');
  expect(firstFreeName('bot', new Set(['bot', 'bot-2', 'bot-3']))).toBe('bot-4');
  expect(firstFreeName('bot', new Set(['bot', 'bot-3']))).toBe('bot-2');
});

it('notes a suffix only when one was applied', () => {
  expect(suffixNote('bot', 'bot')).toBeUndefined();
  expect(suffixNote('bot', 'bot-2')).toContain("'bot-2'");
});
