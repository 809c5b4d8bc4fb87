import { describe, expect, it } from 'vitest';
import { clearMessage, countLines, formatReport, FUZZ_PATHS, runFuzz } from '../fuzz/fuzz.js';

/**
 * Issue 10 item 6: a fixed-seed sample of the fuzz suite in every `npm test`. 2,000 mutated files
 * across canonical CSV, ERP exports, xlsx, UBL and credit-report JSON: each is read with
 * loaded + rejected = rows read (CSV: the line count of the raw bytes too) or refused whole with one
 * clear line; nothing throws, nothing hangs. `npm run fuzz -- --cases N --seed S` runs more.
 */
describe('the fuzz judge', () => {
  it('counts lines from raw bytes on its own (LF, CRLF, CR only, UTF-16, no final break)', () => {
    expect(countLines(Buffer.from('a\nb\n'))).toBe(2);
    expect(countLines(Buffer.from('a\r\nb'))).toBe(2);
    expect(countLines(Buffer.from('a\rb\rc'))).toBe(3);
    expect(countLines(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('a\nb\nc\n', 'utf16le')]))).toBe(3);
    expect(countLines(Buffer.alloc(0))).toBe(0);
  });

  it('calls a stack trace, an internal error or echoed SQL unclear', () => {
    expect(clearMessage('x.csv: the file is empty')).toBeUndefined();
    expect(clearMessage('boom\n    at f (/src/x.ts:1:2)')).toMatch(/unclear/);
    expect(clearMessage("TypeError: Cannot read properties of undefined (reading 'x')")).toMatch(/unclear/);
    expect(clearMessage('Parser Error: syntax error\nLINE 1: SELECT a FROM b')).toMatch(/unclear/);
  });
});

describe('fuzz sample (fixed seed)', () => {
  it('2,000 mutated files: every one read with its rows accounted for, or refused with one clear line', async () => {
    const report = await runFuzz({ cases: 2000, seed: 20261202 });
    const text = formatReport(report);
    expect(report.failures, text).toEqual([]);
    for (const p of FUZZ_PATHS) {
      const f = report.paths[p];
      expect(f.invariantHeld + f.clearErrors, `${p}\n${text}`).toBe(f.cases);
      // A mutator that only ever breaks files whole would test nothing of the row accounting.
      expect(f.invariantHeld, `${p}\n${text}`).toBeGreaterThan(f.cases / 10);
    }
    console.log(text);
  }, 900_000);
});
