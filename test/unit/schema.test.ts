import { describe, expect, it } from 'vitest';
import { CANONICAL_TABLES, canonicalTable, duckdbCreateTable, glueColumns, invoices } from '../../src/schema/index.js';

describe('canonical schema', () => {
  it('derives DuckDB and Glue columns from the zod schema', () => {
    const ddl = duckdbCreateTable(invoices);
    expect(ddl).toContain('"amount" DECIMAL(18,2) NOT NULL');
    expect(ddl).toContain('"settled_date" DATE,');
    expect(glueColumns(invoices.columns).find((c) => c.name === 'invoice_date')?.type).toBe('date');
    expect(Object.keys(invoices.schema.shape)).toEqual(invoices.columns.map((c) => c.name));
  });

  it('validates rows with exact money and ISO dates', () => {
    const ok = invoices.schema.safeParse({
      document_id: 'F1', customer_id: 'C1', document_type: 'invoice', invoice_date: '2024-01-31',
      due_date: '2024-03-01', currency: 'EUR', amount: '1234.56',
    });
    expect(ok.success).toBe(true);
    const bad = invoices.schema.safeParse({
      document_id: 'F1', customer_id: 'C1', document_type: 'memo', invoice_date: '31-01-2024',
      due_date: '2024-03-01', currency: 'EUR', amount: '12.345',
    });
    expect(bad.success).toBe(false);
    const paths = bad.error!.issues.map((i) => i.path.join('.')).sort();
    expect(paths).toEqual(['amount', 'document_type', 'invoice_date']);
  });

  it('names every canonical table once and rejects unknown ones', () => {
    const names = CANONICAL_TABLES.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(() => canonicalTable('nope')).toThrow(/unknown table "nope"/);
  });
});
