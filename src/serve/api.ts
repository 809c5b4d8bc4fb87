import type { QueryResult, ResultColumn, Row, WarehouseEngine } from '../warehouse/engine.js';
import { catalogFor, type Catalog } from './catalog.js';
import { EXPORT_MAX_ROWS, GROUP_FILTERS, PAGE_LIMITS, type ColumnMeta, type Meta, type SliceOk, type ValueKind } from './contract.js';
import { exportFile, EXPORT_FORMATS, type ExportFormat } from './export.js';
import { BadRequest, describeIssues, flattenQuery, type RawQuery } from './params.js';
import { defaultSettings, type DashboardSettings } from './settings.js';
import { sliceByName, slices } from './slices/index.js';
import { MartMissing, VIEWS, type Slice, type SliceData } from './slices/types.js';
import { baseEngine, ENGINE_BASE, latestOf } from './slices/common.js';
import { MART_TABLES } from '../schema/marts/index.js';
import { wordNote } from './notes.js';
import { parseState, sliceQuery } from './view-state.js';
import type { SliceName } from './contract.js';

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The body is base64 (a binary file such as an Excel export); API Gateway's isBase64Encoded. */
  base64?: boolean;
}

export interface ApiOptions {
  settings?: DashboardSettings;
  /** Where server-side failures are reported (the HTTP adapter passes stderr). */
  log?: (message: string) => void;
}

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

function json(status: number, body: unknown): ApiResponse {
  return { status, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) };
}

/**
 * Slice answers per engine: the warehouse is read-only, so an answer stays right until the engine
 * is replaced (the local server reopens it after a rebuild). The TTL bounds staleness where the
 * engine outlives a rebuild (a warm Lambda over Athena).
 */
const CACHE_TTL_MS = 10 * 60_000;
const CACHE_MAX = 500;
const answers = new WeakMap<WarehouseEngine, Map<string, { at: number; body: string }>>();

function cached(engine: WarehouseEngine, key: string): string | undefined {
  const hit = answers.get(engine)?.get(key);
  return hit && (engine.snapshot || Date.now() - hit.at < CACHE_TTL_MS) ? hit.body : undefined;
}

function remember(engine: WarehouseEngine, key: string, body: string): void {
  let m = answers.get(engine);
  if (!m) answers.set(engine, (m = new Map()));
  if (m.size >= CACHE_MAX) m.delete(m.keys().next().value!);
  m.set(key, { at: Date.now(), body });
}

/** Filters whose values must be ones the warehouse actually holds. */
const ALLOW_LISTED = ['as_of', 'segment', 'country', 'size', 'sbi_section', 'score_band'] as const;

function checkAllowLists(params: Record<string, unknown>, catalog: Catalog): void {
  for (const key of ALLOW_LISTED) {
    const v = params[key];
    if (typeof v !== 'string') continue;
    const known = catalog.values[key];
    if (known.length === 0 || known.includes(v)) continue;
    const shown = known.length > 8 ? `${known.slice(0, 3).join(', ')} … ${known.slice(-3).join(', ')}` : known.join(', ');
    throw new BadRequest(`${key} "${v}" is not in the data (known values: ${shown})`);
  }
}

/** A column's kind from its SQL type (DuckDB or Athena spelling); text is refined from the values. */
export function kindOfSqlType(type: string): ValueKind {
  const t = type.toLowerCase();
  if (/^decimal\(\d+,\s*2\)$/.test(t)) return 'money';
  if (/^(tinyint|smallint|integer|int|bigint|hugeint|ubigint|uinteger|usmallint|utinyint)$/.test(t)) return 'int';
  if (/^(decimal|double|float|real)/.test(t)) return 'number';
  if (t === 'date') return 'date';
  if (t.startsWith('timestamp')) return 'date';
  if (t === 'boolean') return 'bool';
  return 'text';
}

const ISO_DATE_VALUE = /^\d{4}-\d{2}-\d{2}$/;

/** Column metadata of a slice's rows: the slice's declared kinds, else the SQL types of its queries. */
function columnsOf(rows: Row[], sqlColumns: Map<string, ResultColumn>, declared: Record<string, ValueKind>): ColumnMeta[] {
  const names = rows.length ? Object.keys(rows[0]!) : [...sqlColumns.keys()];
  return names.map((name) => {
    if (declared[name]) return { name, kind: declared[name] };
    const sql = sqlColumns.get(name);
    let kind: ValueKind = sql ? kindOfSqlType(sql.type) : 'text';
    // Dates travel as ISO strings (CAST … AS VARCHAR keeps them exact on every engine).
    if (kind === 'text' && rows.length && rows.every((r) => r[name] === null || (typeof r[name] === 'string' && ISO_DATE_VALUE.test(r[name] as string)))) {
      kind = rows.some((r) => r[name] !== null) ? 'date' : 'text';
    }
    return { name, kind };
  });
}

/** Runs a slice with an engine that remembers the column types of what it answered. */
async function runSlice(slice: Slice, engine: WarehouseEngine, catalog: Catalog, settings: DashboardSettings, params: unknown) {
  const sqlColumns = new Map<string, ResultColumn>();
  const recording: WarehouseEngine = Object.create(engine, {
    [ENGINE_BASE]: { value: baseEngine(engine) },
    query: {
      value: async (sql: string, bind?: Record<string, string | number | boolean | null>): Promise<QueryResult> => {
        const res = await engine.query(sql, bind);
        for (const c of res.columns) sqlColumns.set(c.name, c);
        return res;
      },
    },
  });
  const data: SliceData = await slice.run({ engine: recording, catalog, settings }, params);
  // A list cut at a limit carries COUNT(*) OVER () as total_rows: the count moves to the response.
  let total = data.rows.length;
  let rows = data.rows;
  if (rows.length && 'total_rows' in rows[0]!) {
    total = Number(rows[0]!.total_rows);
    rows = rows.map(({ total_rows: _t, ...r }) => r);
  }
  return { data, rows, total, columns: columnsOf(rows, sqlColumns, slice.kinds) };
}

function groupFiltersOf(params: Record<string, unknown>): string[] {
  return GROUP_FILTERS.filter((f) => params[f] !== undefined);
}

/**
 * The whole read-only API as a pure function of (path, query, engine), so the local HTTP server
 * and an AWS Lambda handler share it. Only GET semantics: nothing here writes.
 *   /api/meta                         filters, pages, slices, targets
 *   /api/slices/<name>?…              one slice as JSON (rows, column kinds, N of M, notes)
 *   /api/export/<name>.(csv|xlsx)?…   every row of a slice (up to EXPORT_MAX_ROWS) as a file
 */
export async function handleApiRequest(
  path: string,
  query: RawQuery,
  engine: WarehouseEngine,
  opts: ApiOptions = {},
): Promise<ApiResponse> {
  const settings = opts.settings ?? defaultSettings;
  try {
    if (path === '/api/meta') {
      if (Object.keys(flattenQuery(query)).length) throw new BadRequest('/api/meta takes no parameters');
      return json(200, meta(await catalogFor(engine), settings));
    }
    const exp = /^\/api\/export\/([a-z0-9_]{1,40})\.([a-z]{3,4})$/.exec(path);
    const m = exp ?? /^\/api\/slices\/([a-z0-9_]{1,40})$/.exec(path);
    if (!m) return json(404, { error: `no such API path: ${path.slice(0, 80)}` });
    const slice = sliceByName(m[1]!);
    if (!slice) return json(404, { error: `no such slice: ${m[1]}` });
    let format: ExportFormat | undefined;
    if (exp) {
      if (!(EXPORT_FORMATS as readonly string[]).includes(exp[2]!)) return json(404, { error: `no export format ${exp[2]} (csv or xlsx)` });
      format = exp[2] as ExportFormat;
    }

    const flat = flattenQuery(query);
    if (format && slice.exportable) {
      if (flat.limit !== undefined) throw new BadRequest('an export has every row: leave out limit');
      flat.limit = String(EXPORT_MAX_ROWS);
    }
    const parsed = slice.params.safeParse(flat);
    if (!parsed.success) throw new BadRequest(describeIssues(parsed.error, slice.paramNames));
    const catalog = await catalogFor(engine);
    checkAllowLists(parsed.data as Record<string, unknown>, catalog);
    const missing = slice.requires.find((t) => !catalog.has(t));
    if (missing) return json(format ? 404 : 200, unavailable(slice.name, missing, catalog));
    const key = `${slice.name}?${JSON.stringify(Object.entries(parsed.data as object).sort())}`;
    const hit = cached(engine, key);
    if (hit) return format ? await exportResponse(format, hit) : { status: 200, headers: { ...JSON_HEADERS }, body: hit };
    // Two cards of a page asking for the same slice at once share one run of its query.
    let pending = inflight.get(engine)?.get(key);
    if (!pending) {
      pending = answer(slice, engine, catalog, settings, parsed.data as Record<string, unknown>);
      let m = inflight.get(engine);
      if (!m) inflight.set(engine, (m = new Map()));
      m.set(key, pending);
      void pending.then(
        (a) => {
          m.delete(key);
          remember(engine, key, a.body);
        },
        () => m.delete(key),
      );
    }
    const a = await pending;
    if (a.missing) return format ? json(404, unavailable(slice.name, a.missing, catalog)) : { status: 200, headers: { ...JSON_HEADERS }, body: a.body };
    return format ? await exportResponse(format, a.body) : { status: 200, headers: { ...JSON_HEADERS }, body: a.body };
  } catch (e) {
    if (e instanceof BadRequest) return json(400, { error: e.message });
    opts.log?.(`api ${path}: ${(e as Error).stack ?? String(e)}`);
    return json(500, { error: `the query for ${path.slice(0, 80)} failed: ${(e as Error).message.split('\n')[0]}` });
  }
}

const inflight = new WeakMap<WarehouseEngine, Map<string, Promise<{ body: string; missing?: string }>>>();

/** A slice's JSON answer, or its "unavailable" answer when a mart it reads is not built. */
async function answer(slice: Slice, engine: WarehouseEngine, catalog: Catalog, settings: DashboardSettings, params: Record<string, unknown>): Promise<{ body: string; missing?: string }> {
  try {
    const { data, rows, total, columns } = await runSlice(slice, engine, catalog, settings, params);
    const ok: SliceOk = {
      status: 'ok',
      slice: slice.name,
      params,
      data_as_of: catalog.dataAsOf,
      columns,
      rows: rows as SliceOk['rows'],
      notes: (data.notes ?? []).map((n) => wordNote(n)),
      note_refs: data.notes ?? [],
      ignored_filters: (data.ignored ?? []).filter((f) => groupFiltersOf(params).includes(f as never)),
      total_rows: total,
      meta: data.meta ?? {},
    };
    return { body: JSON.stringify(ok) };
  } catch (e) {
    if (!(e instanceof MartMissing)) throw e;
    return { body: JSON.stringify(unavailable(slice.name, e.mart, catalog)), missing: e.mart };
  }
}

async function exportResponse(format: ExportFormat, body: string): Promise<ApiResponse> {
  const ok = JSON.parse(body) as SliceOk;
  const file = await exportFile(format, ok);
  return {
    status: 200,
    headers: {
      'content-type': file.type,
      'content-disposition': `attachment; filename="${file.name}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    },
    body: file.body.toString(file.binary ? 'base64' : 'utf8'),
    base64: file.binary,
  };
}

function unavailable(slice: string, mart: string, catalog: Catalog) {
  return { status: 'unavailable', slice, mart, message: `not available: mart ${mart} not built`, data_as_of: catalog.dataAsOf };
}

function meta(catalog: Catalog, settings: DashboardSettings): Meta {
  const marts = [...new Set(slices.flatMap((s) => s.requires))].sort();
  return {
    data_as_of: catalog.dataAsOf,
    currency: settings.currency,
    filters: catalog.values,
    marts: Object.fromEntries(marts.map((t) => [t, catalog.has(t)])),
    pages: Object.fromEntries(VIEWS.map((p) => [p, slices.filter((s) => s.page === p).map((s) => s.name)])) as Meta['pages'],
    slices: Object.fromEntries(
      slices.map((s) => [s.name, { page: s.page, description: s.description, params: [...s.paramNames], requires: s.requires, exportable: s.exportable }]),
    ),
    targets: settings.targets,
  };
}

/**
 * Runs every slice with its default parameters and its page's row limit (the view a page opens with) so the first visitor
 * gets answers from memory. Sequential: it should not crowd out a request that arrives meanwhile.
 */
export async function prewarm(engine: WarehouseEngine, opts: ApiOptions = {}): Promise<void> {
  for (const s of slices) {
    if (!s.params.safeParse({}).success) continue;
    const limit = (PAGE_LIMITS as Partial<Record<string, number>>)[s.name];
    await handleApiRequest(`/api/slices/${s.name}`, limit === undefined ? {} : { limit: String(limit) }, engine, opts);
  }
  // A customer page cannot be answered ahead (which customer?), but the latest month end of each
  // month-end mart its queries name can: resolved now, a first customer page does not wait for it.
  // Marts only: a staging view's MAX would read the ledger.
  const catalog = await catalogFor(engine);
  if (!catalog.dataAsOf) return;
  for (const mart of MART_TABLES) {
    if (catalog.hasColumn(mart.name, 'as_of_date')) await latestOf(engine, mart.name, catalog.dataAsOf).catch(() => null);
  }
}

/**
 * The slice requests a page view makes: its page's slices (customer_search needs a search text and
 * is left out), each with the query the browser sends for it (sliceQuery, shared with the page).
 */
export function viewRequests(pathname: string, search: string): { slice: SliceName; query: Record<string, string> }[] {
  const state = parseState(pathname, search);
  return slices
    .filter((s) => s.page === state.page)
    .map((s) => ({ slice: s.name, query: sliceQuery(state, s.name, s.paramNames) }))
    .filter((r) => sliceByName(r.slice)!.params.safeParse(r.query).success);
}

/**
 * Starts the slices of a page view when the server sends the page itself. Without this the queries
 * wait for the browser to download, compile and run the script (the larger part of a first visit):
 * started here they run meanwhile, and the page's own requests find them in flight or answered
 * (one run per identical request). A customer page cannot be prewarmed at start; this is its prewarm.
 */
export async function startView(engine: WarehouseEngine, pathname: string, search: string, opts: ApiOptions = {}): Promise<void> {
  await Promise.all(viewRequests(pathname, search).map((r) => handleApiRequest(`/api/slices/${r.slice}`, r.query, engine, opts)));
}
