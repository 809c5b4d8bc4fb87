import { describe, expect, it } from 'vitest';
import { loadPreset, parseMapping } from '../../src/feeds/mapping/load.js';
import { dateFromFileName, mappingForFile } from '../../src/feeds/mapping/snapshot.js';

describe('open-item snapshot mappings', () => {
  it('reads the snapshot date from a file name in the usual spellings, never an impossible date', () => {
    expect(dateFromFileName('/x/exact-2024-02-16.csv')).toBe('2024-02-16');
    expect(dateFromFileName('afas_20240216.csv')).toBe('2024-02-16');
    expect(dateFromFileName('openstaande posten 16-02-2024.xlsx')).toBe('2024-02-16');
    expect(dateFromFileName('export 2024.02.16.txt')).toBe('2024-02-16');
    expect(dateFromFileName('batch-20241399-then-2024-03-01.csv')).toBe('2024-03-01');
    expect(dateFromFileName('/2024-02-16/debiteuren.csv')).toBeUndefined();
    expect(dateFromFileName('debiteuren.csv')).toBeUndefined();
  });

  it('fills snapshot_date (--as-of before the file name) and the scope; a mapped column wins', () => {
    const afas = loadPreset('afas-debtor-open-items');
    const byName = mappingForFile(afas, 'afas-2024-02-16.csv');
    expect(byName.snapshot).toEqual({ date: '2024-02-16', from: 'file name' });
    expect(byName.mapping.tables.open_item_snapshots!.columns.snapshot_date).toEqual({ const: '2024-02-16' });
    expect(byName.mapping.tables.open_item_snapshots!.columns.scope).toEqual({ const: 'afas-debtor-open-items' });
    expect(mappingForFile(afas, 'afas-2024-02-16.csv', '2024-02-17').snapshot).toEqual({ date: '2024-02-17', from: 'as-of' });
    expect(() => mappingForFile(afas, 'afas.csv')).toThrow(/afas\.csv is an open-item snapshot without a date: give --as-of/);
    const withColumn = { ...afas, tables: { ...afas.tables, open_item_snapshots: { columns: { ...afas.tables.open_item_snapshots!.columns, snapshot_date: 'Peildatum' } } } };
    expect(mappingForFile(withColumn, 'x.csv', '2024-01-01').mapping.tables.open_item_snapshots!.columns.snapshot_date).toBe('Peildatum');
    const events = loadPreset('sap-fbl5n');
    expect(mappingForFile(events, 'x-2024-01-01.csv').mapping).toBe(events);
  });

  it('refuses a snapshot mapping without open_item_snapshots, or one that also maps invoices', () => {
    const base = { name: 'x', description: 'x', kind: 'open_items_snapshot' };
    expect(() => parseMapping(JSON.stringify({ ...base, tables: { customers: { columns: {} } } }), 'x.json')).toThrow(/kind open_items_snapshot maps its rows to table open_item_snapshots/);
    expect(() => parseMapping(JSON.stringify({ ...base, kind: 'events', tables: { open_item_snapshots: { columns: {} } } }), 'x.json')).toThrow(/needs kind: open_items_snapshot/);
  });
});
