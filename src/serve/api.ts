import type { WarehouseEngine } from '../warehouse/engine.js';
import { catalogFor, type Catalog } from './catalog.js';
import { BadRequest, describeIssues, flattenQuery, type RawQuery } from './params.js';
import { defaultSettings, type DashboardSettings } from './settings.js';
import { sliceByName, slices } from './slices/index.js';
import { MartMissing, PAGES } from './slices/types.js';

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
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

/**
 * The whole read-only API as a pure function of (path, query, engine), so the local HTTP server
 * and an AWS Lambda handler share it. Only GET semantics: nothing here writes.
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
    const m = /^\/api\/slices\/([a-z0-9_]{1,40})$/.exec(path);
    if (!m) return json(404, { error: `no such API path: ${path.slice(0, 80)}` });
    const slice = sliceByName(m[1]!);
    if (!slice) return json(404, { error: `no such slice: ${m[1]}` });

    const flat = flattenQuery(query);
    const parsed = slice.params.safeParse(flat);
    if (!parsed.success) throw new BadRequest(describeIssues(parsed.error, slice.paramNames));
    const catalog = await catalogFor(engine);
    checkAllowLists(parsed.data as Record<string, unknown>, catalog);
    const missing = slice.requires.find((t) => !catalog.has(t));
    if (missing) return json(200, unavailable(slice.name, missing, catalog));
    const key = `${slice.name}?${JSON.stringify(Object.entries(parsed.data as object).sort())}`;
    const hit = cached(engine, key);
    if (hit) return { status: 200, headers: { ...JSON_HEADERS }, body: hit };
    let res: ApiResponse;
    try {
      const data = await slice.run({ engine, catalog, settings }, parsed.data);
      res = json(200, {
        status: 'ok',
        slice: slice.name,
        params: parsed.data,
        data_as_of: catalog.dataAsOf,
        rows: data.rows,
        notes: data.notes ?? [],
        meta: data.meta ?? {},
      });
    } catch (e) {
      if (!(e instanceof MartMissing)) throw e;
      res = json(200, unavailable(slice.name, e.mart, catalog));
    }
    remember(engine, key, res.body);
    return res;
  } catch (e) {
    if (e instanceof BadRequest) return json(400, { error: e.message });
    opts.log?.(`api ${path}: ${(e as Error).stack ?? String(e)}`);
    return json(500, { error: `the query for ${path.slice(0, 80)} failed: ${(e as Error).message.split('\n')[0]}` });
  }
}

function unavailable(slice: string, mart: string, catalog: Catalog) {
  return { status: 'unavailable', slice, mart, message: `not available: mart ${mart} not built`, data_as_of: catalog.dataAsOf };
}

function meta(catalog: Catalog, settings: DashboardSettings) {
  const marts = [...new Set(slices.flatMap((s) => s.requires))].sort();
  return {
    data_as_of: catalog.dataAsOf,
    currency: settings.currency,
    filters: catalog.values,
    marts: Object.fromEntries(marts.map((t) => [t, catalog.has(t)])),
    pages: Object.fromEntries(PAGES.map((p) => [p, slices.filter((s) => s.page === p).map((s) => s.name)])),
    slices: Object.fromEntries(
      slices.map((s) => [s.name, { page: s.page, description: s.description, params: s.paramNames, requires: s.requires }]),
    ),
  };
}

/**
 * Runs every slice with its default parameters (the view a page opens with) so the first visitor
 * gets answers from memory. Sequential: it should not crowd out a request that arrives meanwhile.
 */
export async function prewarm(engine: WarehouseEngine, opts: ApiOptions = {}): Promise<void> {
  for (const s of slices) {
    if (!s.params.safeParse({}).success) continue;
    await handleApiRequest(`/api/slices/${s.name}`, {}, engine, opts);
  }
}
