import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { lakePaths } from '../../lake/layout.js';
import { sqlPath } from '../materialise.js';
import { inKeysSql } from '../partitions.js';
import type { DuckDBEngine } from './duckdb-engine.js';

/**
 * The lake's model cache (`_cache/models/<model>/<fingerprint>.parquet`): what a staging or
 * intermediate model computed, kept under the fingerprint of everything its rows depend on, with the
 * exact column types beside it (`.columns.json`) and, for a model recomputed per customer, what it was
 * computed from (`.inputs.json`). Pure helpers and file names; the build reads and writes the entries.
 */

/** A column of a cached model, as DESCRIBE gave it. */
export interface CachedColumn {
  name: string;
  type: string;
}

const PARQUET_EXACT = /^(BOOLEAN|TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|VARCHAR|BLOB|DATE|TIMESTAMP|DECIMAL\(\d+,\d+\))$/;

/** The type a column is stored as in the model cache (undefined: not stored exactly, not cached). Pure. */
export function storedType(type: string): string | undefined {
  if (PARQUET_EXACT.test(type)) return type;
  // Parquet has no 128-bit integer (DuckDB would write a DOUBLE): DECIMAL(38,0) holds every value
  // exactly up to 10^38 and fails loudly beyond.
  if (type === 'HUGEINT') return 'DECIMAL(38,0)';
  return undefined;
}

/** The select list writing (`write`) or reading back (`read`) a cached model's columns. Pure. */
export function cachedColumnsSql(columns: readonly CachedColumn[], direction: 'write' | 'read'): string {
  const q = (n: string) => `"${n.replace(/"/g, '""')}"`;
  return columns
    .map((c) => (storedType(c.type) === c.type ? q(c.name) : `CAST(${q(c.name)} AS ${direction === 'write' ? storedType(c.type) : c.type}) AS ${q(c.name)}`))
    .join(', ');
}

export const modelCacheColumnsFile = (entry: string) => entry.replace(/\.parquet$/, '.columns.json');
export const modelCacheInputsFile = (entry: string) => entry.replace(/\.parquet$/, '.inputs.json');

/**
 * A layered entry (a partitioned model recomputed for some keys): `<fp>.parquet` holds the rows of an
 * earlier entry (a hard link of its base, not a copy), `<fp>.keys.parquet` the keys recomputed since
 * that base was written (column k) and `<fp>.rows.parquet` their rows now; `<fp>.layer.json` names the
 * key column. The model's rows are the base's rows of every other key, then the layer's rows. Writing
 * the recomputed keys' rows instead of the whole model is the point: at 1M invoices a day's delta
 * recomputes a tenth of the customers' item events, and writing all 3.7M rows again cost 2.7 CPU-s.
 */
export interface CacheLayer {
  /** The model's key column (PartitionSpec.key). */
  key: string;
}
export const modelCacheLayerFiles = (entry: string) => ({
  meta: entry.replace(/\.parquet$/, '.layer.json'),
  keys: entry.replace(/\.parquet$/, '.keys.parquet'),
  rows: entry.replace(/\.parquet$/, '.rows.parquet'),
});

/** The files of every kind an entry of `fingerprint` has (what the cache sweep keeps). */
export const modelCacheEntryFiles = (fingerprint: string) =>
  ['.parquet', '.columns.json', '.inputs.json', '.layer.json', '.keys.parquet', '.rows.parquet'].map((s) => `${fingerprint}${s}`);

/**
 * A cached model's rows (SQL of a query) from its files, given as SQL expressions of their paths: the
 * base alone, or the base less the layer's keys plus the layer's rows. Pure.
 */
export function layeredRowsSql(columns: readonly CachedColumn[], base: string, layer?: { key: string; keys: string; rows: string }): string {
  const cols = cachedColumnsSql(columns, 'read');
  if (!layer) return `SELECT ${cols} FROM read_parquet(${base})`;
  return (
    `SELECT ${cols} FROM read_parquet(${base}) WHERE NOT ${inKeysSql(layer.key, `read_parquet(${layer.keys})`)} ` +
    `UNION ALL SELECT ${cols} FROM read_parquet(${layer.rows})`
  );
}

/**
 * The layer of an entry (absolute paths), null when it has none, undefined when it has one that is
 * not whole (files missing: not usable).
 */
export function entryLayer(entry: string): { key: string; keys: string; rows: string } | null | undefined {
  const files = modelCacheLayerFiles(entry);
  if (!existsSync(files.meta)) return null;
  const meta = readJsonFile<CacheLayer>(files.meta);
  if (!meta || typeof meta.key !== 'string' || !existsSync(files.keys) || !existsSync(files.rows)) return undefined;
  return { key: meta.key, keys: files.keys, rows: files.rows };
}

/** A complete entry's rows as a query (its files' absolute paths), or undefined when it is not usable. */
export function entryRowsSql(entry: string, columns: readonly CachedColumn[]): string | undefined {
  if (!existsSync(entry)) return undefined;
  const layer = entryLayer(entry);
  if (layer === undefined) return undefined;
  return layeredRowsSql(columns, sqlPath(entry), layer ? { key: layer.key, keys: sqlPath(layer.keys), rows: sqlPath(layer.rows) } : undefined);
}

/** A JSON file's contents, or undefined when it is missing or unreadable (an entry of a killed build). */
export function readJsonFile<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** The cache entry of a model's rows for a fingerprint (absolute path). */
export const modelCacheEntry = (lakeRoot: string, model: string, fingerprint: string) => join(lakeRoot, lakePaths.modelCacheFile(model, fingerprint));

/** A cached result as a relation with its exact column types, or undefined when it is not there. */
export function cachedRelationSql(lakeRoot: string, model: string, fingerprint: string): string | undefined {
  const entry = modelCacheEntry(lakeRoot, model, fingerprint);
  const columns = readJsonFile<CachedColumn[]>(modelCacheColumnsFile(entry));
  const rows = columns && entryRowsSql(entry, columns);
  return rows && `(${rows})`;
}

/** A relation's columns and exact types, as the cache records them. */
export async function describeColumns(engine: DuckDBEngine, relation: string): Promise<CachedColumn[]> {
  return (await engine.query(`DESCRIBE ${relation}`)).rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/**
 * Removes model-cache entries no model of the project has any more (an older fingerprint, a model
 * gone): the cache holds what the published build was computed from, nothing else.
 */
export function sweepModelCache(lakeRoot: string, fingerprints: ReadonlyMap<string, string>): number {
  const dir = join(lakeRoot, lakePaths.modelCacheDir());
  if (!existsSync(dir)) return 0;
  let removed = 0;
  for (const model of readdirSync(dir, { withFileTypes: true })) {
    if (!model.isDirectory()) continue;
    const keep = fingerprints.get(model.name);
    for (const f of readdirSync(join(dir, model.name))) {
      if (keep !== undefined && modelCacheEntryFiles(keep).includes(f)) continue;
      rmSync(join(dir, model.name, f), { force: true });
      removed++;
    }
  }
  return removed;
}
