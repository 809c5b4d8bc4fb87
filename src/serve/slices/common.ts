import { z } from 'zod';
import type { QueryResult, Row, WarehouseEngine } from '../../warehouse/engine.js';
import type { Catalog } from '../catalog.js';
import { GROUP_FILTERS, periodRange, type GroupFilter, type Period } from '../params.js';
import type { SliceName, ValueKind } from '../contract.js';
import { note, type Note } from '../notes.js';
import { MartMissing, type ViewId, type Slice, type SliceContext, type SliceData } from './types.js';

export function defineSlice<S extends z.ZodRawShape>(def: {
  name: SliceName;
  page: ViewId | 'shared';
  description: string;
  requires: string[];
  shape: S;
  kinds?: Record<string, ValueKind>;
  run(ctx: SliceContext, params: z.infer<z.ZodObject<S>>): Promise<SliceData>;
}): Slice<z.infer<z.ZodObject<S>>> {
  return {
    name: def.name,
    page: def.page,
    description: def.description,
    requires: def.requires,
    params: z.strictObject(def.shape) as unknown as z.ZodType<z.infer<z.ZodObject<S>>>,
    paramNames: Object.keys(def.shape),
    kinds: def.kinds ?? {},
    exportable: 'limit' in def.shape,
    run: (ctx, p) => def.run({ ...ctx, engine: resolvingLatest(ctx.engine) }, p),
  };
}

/**
 * `$latest_<mart>` in a slice's SQL: the latest as-of date of that month-end mart on or before the
 * request's `$as_of` (latestAsOfSql). Resolved to a constant before the query runs, not left as a
 * subquery: compared with a constant, the Parquet row groups of other month ends are skipped by
 * their min/max statistics, so a page reads one month of a mart instead of joining all of them.
 */
const LATEST_TOKEN = /\$latest_([a-z][a-z0-9_]{0,62})\b/g;
/** On an engine wrapped for one request (a recording or resolving view of it): the engine it wraps. */
export const ENGINE_BASE = Symbol('engine base');
export function baseEngine(engine: WarehouseEngine): WarehouseEngine {
  return (engine as { [ENGINE_BASE]?: WarehouseEngine })[ENGINE_BASE] ?? engine;
}

const latestCache = new WeakMap<WarehouseEngine, Map<string, { at: number; value: Promise<string | null> }>>();
const LATEST_TTL_MS = 10 * 60_000;

export function latestOf(wrapped: WarehouseEngine, mart: string, asOf: string): Promise<string | null> {
  const engine = baseEngine(wrapped);
  let m = latestCache.get(engine);
  if (!m) latestCache.set(engine, (m = new Map()));
  const key = `${mart}|${asOf}`;
  const hit = m.get(key);
  // A snapshot engine (the local warehouse file) never changes under its reader; others may be rebuilt.
  if (hit && (engine.snapshot || Date.now() - hit.at < LATEST_TTL_MS)) return hit.value;
  const value = engine
    .query(`SELECT CAST(MAX(as_of_date) AS VARCHAR) AS d FROM ${mart} WHERE as_of_date <= CAST($as_of AS DATE)`, { as_of: asOf })
    .then((r) => (typeof r.rows[0]?.d === 'string' ? r.rows[0].d : null));
  m.set(key, { at: Date.now(), value });
  value.catch(() => m.delete(key));
  return value;
}

function resolvingLatest(engine: WarehouseEngine): WarehouseEngine {
  return Object.create(engine, {
    [ENGINE_BASE]: { value: baseEngine(engine) },
    query: {
      value: async (sql: string, bind: Bind = {}): Promise<QueryResult> => {
        const marts = [...new Set([...sql.matchAll(LATEST_TOKEN)].map((m) => m[1]!))];
        if (!marts.length) return engine.query(sql, bind);
        const asOf = bind.as_of;
        if (typeof asOf !== 'string') throw new Error('a query naming $latest_<mart> binds $as_of');
        const resolved: Bind = { ...bind };
        for (const mart of marts) resolved[`latest_${mart}`] = await latestOf(engine, mart, asOf);
        // DuckDB refuses a bound name the statement does not use ($as_of may now appear only here).
        for (const k of Object.keys(resolved)) if (!new RegExp(`\\$${k}\\b`).test(sql)) delete resolved[k];
        return engine.query(sql, resolved);
      },
    },
  }) as WarehouseEngine;
}

export type Bind = Record<string, string | number | boolean | null>;

export function requireMart(catalog: Catalog, mart: string): void {
  if (!catalog.has(mart)) throw new MartMissing(mart);
}

/** The as-of date a slice uses: the request's (already allow-listed) or the latest with data. */
export function asOfOf(catalog: Catalog, asOf: string | undefined): string {
  const d = asOf ?? catalog.dataAsOf;
  if (!d) throw new MartMissing('ar_aging');
  return d;
}

export function rangeOf(catalog: Catalog, p: { as_of?: string; period?: Period }) {
  const asOf = asOfOf(catalog, p.as_of);
  return { asOf, ...periodRange(asOf, p.period ?? '12m') };
}

export type GroupParams = Partial<Record<GroupFilter, string>>;

/** Rows of a query over the request's period (bound as $from and $to) on a mart that must be built. */
export async function periodRows(
  { engine, catalog }: SliceContext,
  mart: string,
  p: { as_of?: string; period?: Period },
  sql: string,
): Promise<Row[]> {
  requireMart(catalog, mart);
  const r = rangeOf(catalog, p);
  return (await engine.query(sql, { from: r.from, to: r.to })).rows;
}

/**
 * A customer-level query at the as-of date (bound as $as_of) on marts that must be built, filtered
 * by the customer groups: `sql` gets the condition on `dim_customers c` (customerWhere), `extra` binds
 * the query's own values. The notes say which filters could not apply.
 */
export async function customerRows(
  { engine, catalog }: SliceContext,
  marts: string | readonly string[],
  p: GroupParams & { as_of?: string },
  sql: (where: string) => string,
  extra: Bind = {},
): Promise<{ rows: Row[]; notes: Note[]; ignored: string[] }> {
  for (const m of typeof marts === 'string' ? [marts] : marts) requireMart(catalog, m);
  const w = customerWhere(catalog, p);
  const { rows } = await engine.query(sql(w.sql), { ...w.bind, as_of: asOfOf(catalog, p.as_of), ...extra });
  return { rows, notes: w.notes, ignored: w.ignored };
}

/** How the group filters map to a grouped mart's `group_by` values. */
const GROUP_BY_NAME: Record<GroupFilter, string> = {
  segment: 'segment',
  sbi_section: 'sbi_section',
  country: 'country',
  size: 'size_class',
};

/**
 * WHERE clause selecting one customer group from a mart that stores groups as rows: either a
 * `group_by`/`group_value` pair (KPI suite) or a `segment` column with 'ALL' totals (foundation).
 * Grouped marts hold one dimension at a time, so only the first filter set applies; the notes say so.
 */
export function groupWhere(catalog: Catalog, mart: string, p: GroupParams, alias = ''): { sql: string; bind: Bind; notes: Note[]; ignored: string[] } {
  const a = alias ? `${alias}.` : '';
  const set = GROUP_FILTERS.filter((f) => p[f] !== undefined);
  const notes: Note[] = [];
  if (catalog.hasColumn(mart, 'group_by') && catalog.hasColumn(mart, 'group_value')) {
    const first = set[0];
    const ignored = set.slice(1);
    if (ignored.length) notes.push(note('grouped_one_dimension', { mart, filter: first!, value: p[first!]!, filters: ignored.join(', ') }));
    if (!first) return { sql: `${a}group_by = 'ALL'`, bind: {}, notes, ignored };
    return { sql: `${a}group_by = $group_by AND ${a}group_value = $group_value`, bind: { group_by: GROUP_BY_NAME[first], group_value: p[first]! }, notes, ignored };
  }
  if (catalog.hasColumn(mart, 'segment')) {
    const ignored = set.filter((f) => f !== 'segment');
    if (ignored.length) notes.push(note('no_breakdown', { mart, filters: ignored.join('/') }));
    if (p.segment === undefined) return { sql: `${a}segment = 'ALL'`, bind: {}, notes, ignored };
    return { sql: `${a}segment = $segment`, bind: { segment: p.segment }, notes, ignored };
  }
  if (set.length) notes.push(note('not_by_group', { mart }));
  return { sql: 'TRUE', bind: {}, notes, ignored: set };
}

/**
 * WHERE clause for customer-level marts joined to `dim_customers` (alias c): every filter applies.
 * Columns come from this code; only values are bound.
 */
export function customerWhere(catalog: Catalog, p: GroupParams, alias = 'c'): { sql: string; bind: Bind; notes: Note[]; ignored: string[] } {
  const parts: string[] = [];
  const bind: Bind = {};
  const notes: Note[] = [];
  const ignored: string[] = [];
  const add = (filter: GroupFilter, column: string) => {
    const v = p[filter];
    if (v === undefined) return;
    if (!catalog.hasColumn('dim_customers', column)) {
      notes.push(note('customers_no_column', { column, filter }));
      ignored.push(filter);
      return;
    }
    parts.push(`${alias}.${column} = $${filter}`);
    bind[filter] = v;
  };
  // Segment, country and size as the grouped marts group them (dim_customers' *_group columns,
  // copied from int_customer_groups: 'unknown' where the master records none or has no record of
  // the customer), so segment=unknown or country=unknown lists the customers the grouped marts count
  // under 'unknown' instead of none. Lakes built before those columns: the raw ones.
  const grouped = (raw: string, group: string) => (catalog.hasColumn('dim_customers', group) ? group : raw);
  add('segment', grouped('segment', 'segment_group'));
  add('country', grouped('country', 'country_group'));
  add('size', grouped('size_class', 'size_class_group'));
  // The models' own customer → SBI section mapping (dim_customers copies int_customer_groups'), so
  // lists agree with the grouped marts.
  add('sbi_section', 'sbi_section');
  return { sql: parts.length ? parts.join(' AND ') : 'TRUE', bind, notes, ignored };
}

export function hasAnyGroupFilter(p: GroupParams): boolean {
  return GROUP_FILTERS.some((f) => p[f] !== undefined);
}

export function rows(data: { rows: Row[] }): Row[] {
  return data.rows;
}

/** Columns a slice may read from an optional mart, by the first name present. */
export function pickColumn(catalog: Catalog, mart: string, candidates: string[]): string | undefined {
  return candidates.find((c) => catalog.hasColumn(mart, c));
}
