import { describe, expect, it } from 'vitest';
import { splitJsonRecords } from '../../src/feeds/credit-report/json-records.js';
import { parseCreditCsv } from '../../src/feeds/credit-report/formats/csv-formats.js';
import { parseCreditsafeJson } from '../../src/feeds/credit-report/formats/creditsafe-json.js';
import { dutchAmount, toIsoDate, toMoney } from '../../src/feeds/credit-report/records.js';

describe('credit-report record splitting and parsing', () => {
  it('splits one object, an array and NDJSON, isolating a malformed array element', () => {
    expect(splitJsonRecords('{"a": 1}').chunks.map((c) => c.value)).toEqual([{ a: 1 }]);
    expect(splitJsonRecords('\n\n{"a": 1}\n{"a": 2}\n').chunks.map((c) => [c.line, c.value])).toEqual([[3, { a: 1 }], [4, { a: 2 }]]);
    const text = ['[', '  {"a": 1, "s": "x,}"},', '  {"a": 2, "b": {"c": 3},', '  {"a": 4}', ']'].join('\n');
    const { chunks } = splitJsonRecords(text);
    expect(chunks.map((c) => [c.line, c.error === undefined ? c.value : 'error'])).toEqual([[2, { a: 1, s: 'x,}' }], [3, 'error'], [4, { a: 4 }]]);
    expect(splitJsonRecords('   ').format).toBe('empty');
    expect(splitJsonRecords('{"a": ').chunks[0]!.error).toBeDefined();
  });

  it('reads money and dates exactly, in ISO and Dutch notation, and refuses the rest', () => {
    expect(['25000', '1500.5', '€ 1234.00'].map(toMoney)).toEqual(['25000', '1500.5', '1234.00']);
    expect(['12.345', '1,234.56', '20.000,00', 'abc'].map(toMoney)).toEqual([undefined, undefined, undefined, undefined]);
    expect(['20.000,00', '1234,5', '12.345', '1,234.56'].map(dutchAmount)).toEqual(['20000.00', '1234.5', '12345', '1,234.56']);
    expect(['2024-03-01', '2024-03-01T08:15:00Z', '15-03-2024', '1-3-2024', '2024-02-30', '03/15/2024'].map(toIsoDate)).toEqual([
      '2024-03-01', '2024-03-01', '2024-03-15', '2024-03-01', undefined, undefined,
    ]);
  });

  it('maps a Creditsafe report (wrapped or not) to company, report and insolvency events', () => {
    const out = parseCreditsafeJson(JSON.stringify({
      report: {
        companyId: 'NL-X-1', dateOfOrder: '2024-06-03',
        companySummary: { businessName: 'X BV', companyRegistrationNumber: 12345678, mainActivity: { code: '5610', classification: 'SBI 2025' }, companyStatus: { status: 'NonActive' } },
        creditScore: { currentCreditRating: { commonValue: 'E', providerValue: { value: '3' }, creditLimit: { value: 0, currency: 'eur' } } },
        negativeInformation: { insolvencies: [{ type: 'Surseance van betaling', date: '2024-05-28' }] },
        otherInformation: { employeesInformation: [{ numberOfEmployees: '60' }] },
      },
    }));
    expect(out.rejects).toEqual([]);
    const r = out.records[0]!;
    expect(r.company).toMatchObject({ kvk: '12345678', sbiCode: '5610', sbiVersion: 'SBI2025', sizeClass: 'medium', provider: { provider: 'creditsafe', id: 'NL-X-1' } });
    expect(r.report).toMatchObject({ reportDate: '2024-06-03', score: 3, rating: 'E', creditLimitAdvice: '0', creditLimitCurrency: 'EUR', status: 'inactive' });
    expect(r.events).toEqual([{ type: 'suspension_of_payments', date: '2024-05-28', source: 'creditsafe', caseNumber: null }]);
    const bad = parseCreditsafeJson('{"companySummary": {}}');
    expect(bad.rejects[0]).toMatchObject({ reason: 'invalid report structure' });
  });

  it('recognises CSV kinds by header and rejects rows of the wrong width', () => {
    const g = parseCreditCsv('graydon_id;kvk_number;company_name;report_date;rating;credit_advice;payment_score\nG1;12345678;A BV;01-02-2024;D;1.500,50;5\nG2;1\n');
    expect('error' in g).toBe(false);
    if ('error' in g) return;
    expect(g.records[0]!.report).toMatchObject({ scale: 'graydon_rating', rating: 'D', status: 'insolvent', paymentScore: 5, creditLimitAdvice: '1500.50' });
    expect(g.rejects).toEqual([expect.objectContaining({ line: 3, reason: 'too few columns' })]);
    const c = parseCreditCsv('report_id,company_key,provider,report_date,score,score_scale,company_status\nr1,NL-KVK-12345678,dnb,2024-01-01,55,dnb_failure_percentile,active\n');
    expect(!('error' in c) && c.kind).toBe('reports');
    const e = parseCreditCsv('event_id,company_key,event_type,event_date,source\n');
    expect(!('error' in e) && e.kind).toBe('events');
    expect(parseCreditCsv('')).toEqual({ error: 'file is empty (expected a header line)' });
  });
});

describe('a credit-report CSV read piece by piece', () => {
  it('cuts only at record ends (never inside a quoted field) and gives the same records and lines as one read', async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { csvTextChunks } = await import('../../src/feeds/credit-report/text-chunks.js');
    const { CreditCsvReader } = await import('../../src/feeds/credit-report/formats/csv-formats.js');
    const lines = ['\uFEFFcompany_key,name,kvk_number,legal_form'];
    for (let i = 0; i < 400; i++) {
      // a name with a quoted line break and doubled quotes every seventh row, a short row every 50th
      const name = i % 7 === 0 ? `"Firma ""${i}""\r\nTilburg"` : `Firma ${i}`;
      lines.push(i % 50 === 49 ? `NL-KVK-${10000000 + i},${name}` : `NL-KVK-${10000000 + i},${name},${10000000 + i},BV`);
    }
    const text = lines.join('\r\n') + '\r\n';
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-chunks-'));
    try {
      const file = join(dir, 'companies.csv');
      writeFileSync(file, text);
      const whole = parseCreditCsv(text);
      const reader = new CreditCsvReader();
      const pieces: string[] = [];
      const records: unknown[] = [];
      const rejects: unknown[] = [];
      for await (const piece of csvTextChunks(file, 512, 97)) {
        pieces.push(piece);
        const p = reader.push(piece);
        if ('error' in p) throw new Error(p.error);
        records.push(...p.records);
        rejects.push(...p.rejects);
      }
      expect(pieces.length).toBeGreaterThan(20);
      expect(pieces.join('')).toBe(text);
      for (const piece of pieces) expect((piece.match(/"/g) ?? []).length % 2, piece).toBe(0);
      if ('error' in whole) throw new Error(whole.error);
      expect(records).toEqual(whole.records);
      expect(rejects).toEqual(whole.rejects);
      expect(whole.records.find((r) => r.company.companyKey === 'NL-KVK-10000007')).toMatchObject({ line: 10, company: { name: 'Firma "7"\r\nTilburg' } });
      expect(whole.rejects.map((r) => r.line).slice(0, 2)).toEqual([58, 116]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('duplicate credit reports, in one file and across files', () => {
  it('names the earlier line of the same file, and the lake for a report committed before', async () => {
    const { emptyState, normalise } = await import('../../src/feeds/credit-report/normalise.js');
    const head = 'report_id,company_key,provider,report_date,score,score_scale,company_status,name,kvk_number';
    const row = (id: string, date: string) => `${id},NL-KVK-12345678,dnb,${date},55,dnb_failure_percentile,active,A BV,12345678`;
    const state = emptyState();
    const first = parseCreditCsv([head, row('r1', '2024-01-01'), row('r2', '2024-02-01'), row('r3', '2024-02-01'), row('r1', '2024-03-01')].join('\n') + '\n');
    if ('error' in first) throw new Error(first.error);
    const a = await normalise(first, state);
    expect(a.reports.map((r) => r.report_id)).toEqual(['r1', 'r2']);
    expect(a.rejects.map((r) => [r.line, r.detail])).toEqual([
      [4, 'dnb report of NL-KVK-12345678 on 2024-02-01 repeats line 3'],
      [5, 'dnb report of NL-KVK-12345678 on 2024-03-01 repeats line 2'],
    ]);
    const second = parseCreditCsv([head, row('r9', '2024-01-01'), row('r4', '2024-04-01')].join('\n') + '\n');
    if ('error' in second) throw new Error(second.error);
    const b = await normalise(second, state);
    expect(b.reports.map((r) => r.report_id)).toEqual(['r4']);
    expect(b.rejects.map((r) => [r.line, r.detail])).toEqual([[2, 'dnb report of NL-KVK-12345678 on 2024-01-01 is already in the lake']]);
  });
});
