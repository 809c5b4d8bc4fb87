import type { Catalog } from '../../src/serve/catalog.js';
import { defaultSettings } from '../../src/serve/settings.js';
import { slices } from '../../src/serve/slices/index.js';
import type { Slice } from '../../src/serve/slices/types.js';
import { athenaDialect } from '../../src/warehouse/athena/athena-dialect.js';
import type { QueryResult, WarehouseEngine } from '../../src/warehouse/engine.js';

export interface RecordedStatement {
  slice: string;
  variant: string;
  sql: string;
  params: Record<string, string | number | boolean | null>;
}

/** A value for every parameter name a slice may take (each one valid for its zod schema). */
export const SAMPLE_PARAMS: Record<string, string> = {
  as_of: '2024-06-30',
  period: '12m',
  segment: 'Retail-X',
  sbi_section: 'C',
  country: 'NL',
  size: 'Klasse-9',
  score_band: 'Band-Q',
  priority: 'grow',
  customer_id: 'C-001',
  limit: '25',
  group_by: 'sbi_section',
  q: 'Bakker',
  account_manager: 'Jan de Vries',
  alert_type: 'insolvency_event',
};

/** Catalog shapes the slices branch on: grouped marts (KPI suite), segment-only marts, bare marts. */
export const CATALOG_VARIANTS: Record<string, (table: string, column: string) => boolean> = {
  grouped: () => true,
  segment_only: (_t, c) => c !== 'group_by' && c !== 'group_value',
  bare: () => false,
};

export function fakeCatalog(hasColumn: (t: string, c: string) => boolean): Catalog {
  return {
    has: () => true,
    hasColumn,
    columns: () => [],
    tables: () => [],
    values: { as_of: ['2024-06-30'], segment: ['Retail-X'], country: ['NL'], size: ['Klasse-9'], sbi_section: ['C'], score_band: ['Band-Q'], account_manager: ['Jan'] },
    dataAsOf: '2024-06-30',
  };
}

/** An engine that answers every query with no rows and records the statement (Athena dialect). */
export function recordingEngine(record: (sql: string, params: RecordedStatement['params']) => void): WarehouseEngine {
  return {
    dialect: athenaDialect,
    async query(sql, params): Promise<QueryResult> {
      record(sql, params ?? {});
      return { columns: [], rows: [] };
    },
    async execute() {
      throw new Error('read-only');
    },
    async close() {},
  };
}

function paramSets(slice: Slice): Record<string, string>[] {
  const all: Record<string, string> = {};
  for (const n of slice.paramNames) if (SAMPLE_PARAMS[n] !== undefined) all[n] = SAMPLE_PARAMS[n]!;
  // The minimal set: only what the schema requires (e.g. customer_id).
  const minimal: Record<string, string> = {};
  for (const n of slice.paramNames) {
    const without = Object.fromEntries(Object.entries(all).filter(([k]) => k !== n));
    if (!slice.params.safeParse(without).success) minimal[n] = all[n]!;
  }
  return [minimal, all];
}

/** Every statement every slice sends, for each catalog variant and for default and full parameters. */
export async function allSliceStatements(): Promise<RecordedStatement[]> {
  const out: RecordedStatement[] = [];
  for (const [variant, hasColumn] of Object.entries(CATALOG_VARIANTS)) {
    const catalog = fakeCatalog(hasColumn);
    for (const slice of slices) {
      for (const raw of paramSets(slice)) {
        const parsed = slice.params.safeParse(raw);
        if (!parsed.success) throw new Error(`${slice.name}: sample parameters rejected: ${parsed.error.message}`);
        const engine = recordingEngine((sql, params) => out.push({ slice: slice.name, variant, sql, params }));
        await slice.run({ engine, catalog, settings: defaultSettings }, parsed.data);
      }
    }
  }
  return out;
}
