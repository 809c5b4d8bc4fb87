import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitJsonRecords } from '../../src/feeds/credit-report/json-records.js';
import { jsonRecordBatches } from '../../src/feeds/credit-report/json-stream.js';

// Issue 16 item 3: a provider JSON file is read a piece at a time, with exactly the records and line
// numbers the whole-text reader gives; tiny pieces and reads put every cut in an awkward place.
const dir = mkdtempSync(join(tmpdir(), 'json-stream-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

async function streamed(text: string, size: number, readSize: number) {
  const path = join(dir, `f${++n}.json`);
  writeFileSync(path, text);
  const out = [];
  for await (const batch of jsonRecordBatches(path, size, readSize)) out.push(...batch);
  return out;
}
const shape = (cs: { line: number; text: string; value?: unknown; error?: string }[]) =>
  cs.map((c) => ({ line: c.line, text: c.text, value: c.value, error: c.error === undefined ? undefined : 'error' }));

const report = (i: number) => ({ companyId: `NL-${i}`, reportDate: '2024-06-03', note: `a "quoted", [bracketed] {text} \\ ${i}` });

describe('jsonRecordBatches', () => {
  const pretty = JSON.stringify(Array.from({ length: 12 }, (_, i) => report(i)), null, 2);
  const cases: [string, string][] = [
    ['a pretty-printed array', pretty],
    ['a compact array after blank lines and a byte-order mark', `\uFEFF\n\n${JSON.stringify(Array.from({ length: 9 }, (_, i) => report(i)))}\n`],
    ['an array with a malformed element among good ones', ['[', '  {"a": 1, "s": "x,}"},', '  {"a": 2, "b": {"c": 3},', '  {"a": 4},', '  {"a": 5}', ']'].join('\n')],
    ['an array that never closes', '[\n {"a": 1},\n {"a": 2},\n {"a": 3'],
    ['an empty array', '[]'],
    ['NDJSON with blank lines, CRLF and a malformed line', ['', JSON.stringify(report(1)), '', JSON.stringify(report(2)), '{"a": ', JSON.stringify(report(3))].join('\r\n')],
    ['one pretty-printed report', JSON.stringify({ report: report(7) }, null, 2)],
    ['one report on one line without a line break', JSON.stringify(report(8))],
    ['text that is no JSON', 'not json at all\nsecond line'],
    ['only blanks', '  \n '],
  ];
  it.each(cases)('gives what the whole-text reader gives for %s', async (_what, text) => {
    const whole = shape(splitJsonRecords(text).chunks);
    for (const [size, readSize] of [[1 << 20, 1 << 16], [16, 7], [1, 1], [64, 3]]) {
      expect(shape(await streamed(text, size!, readSize!))).toEqual(whole);
    }
  });

  it('holds about one piece at a time: a 20,000-report array comes in many batches', async () => {
    const text = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => report(i)), null, 1);
    const path = join(dir, 'big.json');
    writeFileSync(path, text);
    let batches = 0;
    let records = 0;
    let last = 0;
    for await (const batch of jsonRecordBatches(path, 1 << 16, 1 << 14)) {
      batches++;
      records += batch.length;
      expect(batch[0]!.line).toBeGreaterThan(last);
      last = batch[batch.length - 1]!.line;
    }
    expect(records).toBe(20_000);
    expect(batches).toBeGreaterThan(20);
  });
});
