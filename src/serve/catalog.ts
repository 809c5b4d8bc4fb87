import type { WarehouseEngine } from '../warehouse/engine.js';

/**
 * What the warehouse holds right now: tables/views with their columns, and the values the filters
 * may take (the allow-lists). Slices ask it whether their mart exists, so a page can say "not built
 * yet" instead of failing, and parameters are checked against it before they reach SQL.
 */
export interface Catalog {
  has(table: string): boolean;
  hasColumn(table: string, column: string): boolean;
  columns(table: string): string[];
  tables(): string[];
  /** Allow-lists for data-dependent filters. */
  values: FilterValues;
  /** The latest as-of date with data (the page's "data as of" stamp), or null when nothing is built. */
  dataAsOf: string | null;
}

export type { FilterValues } from './contract.js';
import type { FilterValues } from './contract.js';

const TTL_MS = 30_000;
const cache = new WeakMap<WarehouseEngine, { at: number; catalog: Promise<Catalog> }>();

export function catalogFor(engine: WarehouseEngine): Promise<Catalog> {
  const hit = cache.get(engine);
  if (hit && (engine.snapshot || Date.now() - hit.at < TTL_MS)) return hit.catalog;
  const catalog = loadCatalog(engine);
  cache.set(engine, { at: Date.now(), catalog });
  catalog.catch(() => cache.delete(engine));
  return catalog;
}

export async function loadCatalog(engine: WarehouseEngine): Promise<Catalog> {
  // DuckDB keeps the warehouse in schema main; on Athena the schema is the engine's Glue database.
  const schema = (engine as { database?: unknown }).database;
  const { rows } = await engine.query(
    `SELECT table_name, column_name FROM information_schema.columns
     WHERE table_schema = $schema ORDER BY table_name, ordinal_position`,
    { schema: typeof schema === 'string' ? schema : 'main' },
  );
  const byTable = new Map<string, string[]>();
  for (const r of rows) {
    const t = String(r.table_name);
    if (!byTable.has(t)) byTable.set(t, []);
    byTable.get(t)!.push(String(r.column_name));
  }
  const has = (t: string) => byTable.has(t);
  const hasColumn = (t: string, c: string) => byTable.get(t)?.includes(c) ?? false;
  const strings = async (sql: string): Promise<string[]> => {
    try {
      const res = await engine.query(sql);
      return res.rows.map((r) => r.v).filter((v): v is string => typeof v === 'string' && v !== '');
    } catch {
      // A view over a mart that is being rebuilt can fail for a moment; an empty list is honest.
      return [];
    }
  };

  const asOfSources: string[] = [];
  if (hasColumn('ar_aging', 'as_of_date')) asOfSources.push('SELECT DISTINCT as_of_date AS d FROM ar_aging');
  else if (hasColumn('ar_open_items', 'as_of_date')) asOfSources.push('SELECT DISTINCT as_of_date AS d FROM ar_open_items');
  const as_of = asOfSources.length
    ? await strings(`SELECT DISTINCT CAST(d AS VARCHAR) AS v FROM (${asOfSources.join(' UNION ')}) x ORDER BY v`)
    : [];

  // Grouped marts hold the group values exactly as the models derive them (SBI section, 'unknown');
  // the filters offer those. Before the KPI suite the customer dimension is the source.
  const grouped = hasColumn('ar_aging', 'group_by') && hasColumn('ar_aging', 'group_value');
  const groupValues = (groupBy: string) =>
    strings(`SELECT DISTINCT group_value AS v FROM ar_aging WHERE group_by = '${groupBy}' ORDER BY v`);
  const segment = grouped
    ? await groupValues('segment')
    : hasColumn('dim_customers', 'segment')
      ? await strings('SELECT DISTINCT segment AS v FROM dim_customers ORDER BY v')
      : [];
  const country = grouped
    ? await groupValues('country')
    : hasColumn('dim_customers', 'country')
      ? await strings('SELECT DISTINCT country AS v FROM dim_customers ORDER BY v')
      : [];
  const size = grouped
    ? await groupValues('size_class')
    : hasColumn('dim_customers', 'size_class')
      ? await strings('SELECT DISTINCT size_class AS v FROM dim_customers ORDER BY v')
      : [];
  const sbi_section = grouped
    ? await groupValues('sbi_section')
    : hasColumn('dim_customers', 'sbi_code')
      ? await strings(`SELECT DISTINCT ${sbiSectionSql('sbi_code')} AS v FROM dim_customers ORDER BY v`)
      : [];
  const score_band = await scoreBands(byTable, strings);
  // Optional owner of a customer (collector, account manager): the worklist filters on it.
  const account_manager = hasColumn('dim_customers', 'account_manager')
    ? await strings('SELECT DISTINCT account_manager AS v FROM dim_customers WHERE account_manager IS NOT NULL ORDER BY v')
    : [];

  return {
    has,
    hasColumn,
    columns: (t) => [...(byTable.get(t) ?? [])],
    tables: () => [...byTable.keys()],
    values: { as_of, segment, country, size, sbi_section, score_band, account_manager },
    dataAsOf: as_of.length ? as_of[as_of.length - 1]! : null,
  };
}

async function scoreBands(byTable: Map<string, string[]>, strings: (sql: string) => Promise<string[]>): Promise<string[]> {
  for (const [table, column] of [
    ['segment_priority', 'common_band_label'],
    ['customer_risk', 'common_band_label'],
  ] as const) {
    if (byTable.get(table)?.includes(column)) return strings(`SELECT DISTINCT ${column} AS v FROM ${table} ORDER BY v`);
  }
  return [];
}

/**
 * SBI section letter from an SBI code: the section is fixed by the first two digits (the division),
 * as in NACE Rev. 2. A constant expression over a column name chosen by our code, never by a request.
 */
export function sbiSectionSql(column: string): string {
  const d = `TRY_CAST(SUBSTR(${column}, 1, 2) AS INTEGER)`;
  const ranges: [string, number, number][] = [
    ['A', 1, 3], ['B', 5, 9], ['C', 10, 33], ['D', 35, 35], ['E', 36, 39], ['F', 41, 43], ['G', 45, 47],
    ['H', 49, 53], ['I', 55, 56], ['J', 58, 63], ['K', 64, 66], ['L', 68, 68], ['M', 69, 75], ['N', 77, 82],
    ['O', 84, 84], ['P', 85, 85], ['Q', 86, 88], ['R', 90, 93], ['S', 94, 96], ['T', 97, 98], ['U', 99, 99],
  ];
  return `CASE ${ranges.map(([s, lo, hi]) => `WHEN ${d} BETWEEN ${lo} AND ${hi} THEN '${s}'`).join(' ')} END`;
}

/**
 * The catalog as plain JSON, so a build can record it beside its marts (marts/_build.json) and the
 * dashboards on AWS answer their first request without the serial information_schema and
 * DISTINCT round trips a cold Lambda would otherwise run.
 */
export interface CatalogSnapshot {
  tables: Record<string, string[]>;
  values: FilterValues;
  data_as_of: string | null;
}

export function catalogSnapshot(c: Catalog): CatalogSnapshot {
  return { tables: Object.fromEntries(c.tables().map((t) => [t, c.columns(t)])), values: c.values, data_as_of: c.dataAsOf };
}

export function catalogFromSnapshot(s: CatalogSnapshot): Catalog {
  const byTable = new Map(Object.entries(s.tables));
  return {
    has: (t) => byTable.has(t),
    hasColumn: (t, col) => byTable.get(t)?.includes(col) ?? false,
    columns: (t) => [...(byTable.get(t) ?? [])],
    tables: () => [...byTable.keys()],
    values: s.values,
    dataAsOf: s.data_as_of,
  };
}

/** Seeds `catalogFor(engine)` with a catalog known from elsewhere (the build marker's snapshot). */
export function primeCatalog(engine: WarehouseEngine, catalog: Catalog): void {
  cache.set(engine, { at: Date.now(), catalog: Promise.resolve(catalog) });
}
