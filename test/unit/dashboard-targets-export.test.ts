import { wordNote } from '../../src/serve/notes.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config/config.js';
import { readSheet } from '../../src/feeds/xlsx/read.js';
import { openZip } from '../../src/feeds/xlsx/zip.js';
import { sliceCsv } from '../../src/serve/export.js';
import { defaultSettings, settingsFromConfig } from '../../src/serve/settings.js';
import { xlsxBlob } from '../../src/serve/sheet.js';
import type { SliceOk } from '../../src/serve/contract.js';

describe('KPI targets in the config', () => {
  it('defaults to the documented targets and takes the config values (null hides one)', () => {
    expect(settingsFromConfig(parseConfig({})).targets).toEqual(defaultSettings.targets);
    const s = settingsFromConfig(parseConfig({ targets: { dso_days: 38, overdue_pct: 10, cei_pct: null, bad_debt_pct: 0.5 }, dashboards: { min_industry_sample: 50 } }));
    expect(s.targets).toEqual({ dso_days: 38, overdue_pct: 10, cei_pct: null, bad_debt_pct: 0.5 });
    expect(s.minIndustrySample).toBe(50);
    expect(s.alertWindowDays).toBe(90);
  });
  it('refuses unknown keys and values out of range, naming the path', () => {
    expect(() => parseConfig({ targets: { dso: 45 } })).toThrow(ConfigError);
    expect(() => parseConfig({ targets: { overdue_pct: 150 } })).toThrow(/targets\.overdue_pct/);
    expect(() => parseConfig({ targets: { dso_days: -3 } })).toThrow(/targets\.dso_days/);
    expect(() => parseConfig({ dashboards: { min_industry_sample: 0 } })).toThrow(/dashboards\.min_industry_sample/);
  });
});

describe('exports with real types', () => {
  const ok: SliceOk = {
    status: 'ok', slice: 'top_overdue', params: {}, data_as_of: '2024-06-30', notes: [], note_refs: [], ignored_filters: [], total_rows: 2, meta: {},
    columns: [
      { name: 'customer_id', kind: 'text' }, { name: 'name', kind: 'text' }, { name: 'overdue_amount', kind: 'money' },
      { name: 'due_date', kind: 'date' }, { name: 'share', kind: 'pct' }, { name: 'items', kind: 'int' },
    ],
    rows: [
      { customer_id: 'C1', name: '=HYPERLINK("x")', overdue_amount: '1234567.89', due_date: '2024-02-29', share: 12.5, items: 3 },
      { customer_id: 'C2', name: 'Bakker, "De" B.V.', overdue_amount: '-0.10', due_date: null, share: null, items: 0 },
    ],
  };
  it('CSV: exact decimal strings, ISO dates, formulas defused', () => {
    expect(sliceCsv(ok)).toBe(
      'customer_id,name,overdue_amount,due_date,share,items\r\n' +
      `C1,"'=HYPERLINK(""x"")",1234567.89,2024-02-29,12.5,3\r\n` +
      'C2,"Bakker, ""De"" B.V.",-0.10,,,0\r\n',
    );
  });
  it('Excel: amounts and counts are numbers, dates are dates, percentages are fractions, text stays text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-xlsx-'));
    try {
      const file = join(dir, 'x.xlsx');
      const blob = await xlsxBlob(ok.columns.map((c) => ({ key: c.name, header: c.name, kind: c.kind })), ok.rows, 'Top: overdue/20?');
      writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
      const rows: string[][] = [];
      await readSheet(file, undefined, (r) => void rows.push(r.cells));
      expect(rows[0]).toEqual(['customer_id', 'name', 'overdue_amount', 'due_date', 'share', 'items']);
      expect(rows[1]!.slice(2)).toEqual(['1234567.89', '2024-02-29', '0.125', '3']);
      expect(rows[1]![1]).toBe('=HYPERLINK("x")');
      expect(rows[2]![2]).toBe('-0.1');
      const zip = await openZip(file);
      let xml = '';
      for await (const c of await zip.stream('xl/worksheets/sheet1.xml')) xml += String(c);
      zip.close();
      // C2 (amount) and D2 (date) are numeric cells with a style; B2 (a name) is a string, never a formula.
      expect(xml).toMatch(/<c r="C2" s="\d+"[^>]*><v>1234567\.89<\/v>/);
      expect(xml).toMatch(/<c r="D2" s="\d+"[^>]*><v>45351<\/v>/);
      expect(xml).not.toContain('<f>');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('partial months', () => {
  it('the tiles open on the last complete month and say so; a chosen month in progress is flagged', async () => {
    const { cfoKpis } = await import('../../src/serve/slices/kpis.js');
    const { fakeCatalog } = await import('../support/slice-statements.js');
    const catalog = { ...fakeCatalog(() => true), dataAsOf: '2024-06-14', values: { ...fakeCatalog(() => true).values, as_of: ['2024-05-31', '2024-06-14'] } };
    const seen: { sql: string; params: Record<string, unknown> }[] = [];
    const engine = {
      dialect: (await import('../../src/warehouse/duckdb/duckdb-dialect.js')).duckdbDialect,
      async query(sql: string, params: Record<string, unknown> = {}) {
        seen.push({ sql, params });
        if (sql.includes('is_complete')) {
          return { columns: [], rows: [{ month_end: '2024-06-14', is_complete: false, days_elapsed: 14 }, { month_end: '2024-05-31', is_complete: true, days_elapsed: 31 }] };
        }
        return { columns: [], rows: [{ m: '2024-05-01', open_ar: '10.00', overdue_pct: 12, dso: 40, bpdso: 30, avg_days_delinquent: 10, cei: 85, written_off: '0.00', expected_cash_13w: '5.00' }] };
      },
      async execute() {},
      async close() {},
    };
    const res = await cfoKpis.run({ engine: engine as never, catalog, settings: defaultSettings }, {});
    expect(res.meta?.month).toBe('2024-05-01');
    expect(wordNote(res.notes![0]!)).toMatch(/2024-05, the last complete month; 2024-06 is in progress \(14 days/);
    expect(res.notes![0]).toMatchObject({ code: 'last_complete_month', vars: { complete: '2024-05', month: '2024-06', days: '14' } });
    expect(res.rows.find((r) => r.kpi === 'dso')!.value).toBe(40);
    const chosen = await cfoKpis.run({ engine: engine as never, catalog, settings: defaultSettings }, { as_of: '2024-06-14' });
    expect(chosen.meta?.month).toBe('2024-06-01');
    expect(wordNote(chosen.notes![0]!)).toMatch(/2024-06 is still in progress/);
  });
});
