import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CI_FILE_MS } from '../support/slow-first-sequencer.js';

describe('the slow-first test order', () => {
  it('names test files that exist (a renamed slow file would quietly fall back to the end of the run)', () => {
    expect(Object.keys(CI_FILE_MS).filter((f) => !existsSync(f))).toEqual([]);
  });
});
