import { describe, expect, it } from 'vitest';
import { failureLine } from '../../src/cli/commands/ingest-failures.js';

describe('failureLine (closing line of a failed ingest)', () => {
  it('is undefined when no file failed', () => {
    expect(failureLine([{ file: 'a.csv', status: 'loaded', rejectRate: 0, failed: false }], 0)).toBeUndefined();
  });

  it('says per file whether it was unreadable or over the reject limit', () => {
    const text = failureLine(
      [
        { file: 'ok.csv', status: 'loaded', rejectRate: 0, failed: false },
        { file: 'book.xlsx', status: 'error', rejectRate: 0, failed: true },
        { file: 'bad.csv', status: 'loaded', rejectRate: 0.24, failed: true },
      ],
      0.01,
    );
    expect(text).toBe('creditlake ingest: 2 file(s) failed: book.xlsx (unreadable), bad.csv (reject rate 24.0% over the limit 1.0%)');
  });
});
