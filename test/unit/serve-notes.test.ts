import { describe, expect, it } from 'vitest';
import { countNote, wordNote } from '../../src/serve/notes.js';

describe('notes about a count', () => {
  it('word one thing in the singular and several in the plural', () => {
    expect(wordNote(countNote('rising_small_left_out', 1, { min: 20 }))).toBe('1 rising section with fewer than 20 monitored companies is not ranked');
    expect(wordNote(countNote('rising_small_left_out', 3, { min: 20 }))).toBe('3 rising sections with fewer than 20 monitored companies are not ranked');
    expect(wordNote(countNote('unscored_left_out', 1))).toBe('1 customer without a numeric score is left out (see the prioritised list)');
    expect(wordNote(countNote('unscored_left_out', 2))).toMatch(/^2 customers without/);
  });
});
