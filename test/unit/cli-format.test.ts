import { describe, expect, it } from 'vitest';
import { formatCsv, formatJson, formatTable, readableFloat } from '../../src/cli/format.js';

describe('query output formats', () => {
  const columns = [
    { name: 'month', type: 'DATE' },
    { name: 'dso', type: 'DOUBLE' },
    { name: 'ratio', type: 'DOUBLE' },
    { name: 'ar_end', type: 'DECIMAL(18,2)' },
  ];
  const rows = [{ month: '2026-10-01', dso: 27.533777234574238, ratio: 0.005312345, ar_end: '29056948.95' }];

  it('rounds floats for people in the table format only', () => {
    const table = formatTable(columns, rows);
    expect(table).toContain('27.53');
    expect(table).toContain('0.005312');
    expect(table).not.toContain('27.5337');
    expect(table).toContain('29056948.95');
    expect(formatCsv(columns, rows)).toContain('27.533777234574238');
    expect(JSON.parse(formatJson(columns, rows))[0].dso).toBe(27.533777234574238);
  });

  it('keeps whole numbers, non-finite values and small magnitudes readable', () => {
    expect(readableFloat(45)).toBe('45');
    expect(readableFloat(-12.345)).toBe('-12.35');
    expect(readableFloat(0.1)).toBe('0.1');
    expect(readableFloat(-0.000123456)).toBe('-0.0001235');
    expect(readableFloat(Number.NaN)).toBe('NaN');
  });
});
