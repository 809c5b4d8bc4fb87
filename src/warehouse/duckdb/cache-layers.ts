import { copyFileSync, existsSync, linkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sqlPath } from '../materialise.js';
import { inKeysSql } from '../partitions.js';
import type { DuckDBEngine } from './duckdb-engine.js';
import {
  cachedColumnsSql,
  entryLayer,
  modelCacheColumnsFile,
  modelCacheEntry,
  modelCacheLayerFiles,
  readJsonFile,
  storedType,
  type CacheLayer,
  type CachedColumn,
} from './model-cache.js';

/**
 * Layered model-cache entries (model-cache.ts, modelCacheLayerFiles): a partitioned model recomputed
 * for some keys is stored as the base of the entry it kept rows of (a hard link) plus one layer, the
 * recomputed keys and their rows. The layer replaces the earlier one's keys too, so an entry always
 * has one layer: the keys recomputed since its base was written whole, and their latest rows.
 */

/**
 * Largest layer, in rows against its base's, before the entry is written whole again: reading a
 * layered entry reads every base row (and drops the layer's keys' rows), so past this the layer
 * costs more to read than writing the entry whole once saves.
 */
export const MAX_LAYER_FRACTION = 0.5;

/** What a model computed partially was computed from (partial-compute.ts, PartialComputer.layer). */
export interface LayerSource {
  /** Fingerprint of the cached result whose rows it kept. */
  from: string;
  /** Temp table of the keys recomputed (column k). */
  affected: string;
  /** Temp table of those keys' rows now. */
  fresh: string;
  /** The model's key column. */
  key: string;
}

const ident = (n: string) => `"${n.replace(/"/g, '""')}"`;

/** A hard link of `from` at `to` (a copy on a file system without links), put in place by a rename. */
function linkInto(from: string, tmp: string, to: string): void {
  try {
    linkSync(from, tmp);
  } catch {
    copyFileSync(from, tmp);
  }
  renameSync(tmp, to);
}

/**
 * Writes `entry` (the new fingerprint's) as a layer over the entry the model was recomputed from.
 * True when written; a reason when it is not (the caller writes the entry whole): the old entry is
 * gone or has other columns, or the layer would exceed MAX_LAYER_FRACTION of the base. The base is
 * linked in last, so the entry is complete or absent, also after a killed build.
 */
export async function writeLayeredEntry(
  engine: DuckDBEngine,
  o: { lakeRoot: string; model: string; entry: string; columns: readonly CachedColumn[]; tmpDir: string; src: LayerSource },
): Promise<true | string> {
  const { src, columns, entry } = o;
  const base = modelCacheEntry(o.lakeRoot, o.model, src.from);
  const baseColumns = readJsonFile<CachedColumn[]>(modelCacheColumnsFile(base));
  if (!existsSync(base) || JSON.stringify(baseColumns) !== JSON.stringify(columns)) return 'the entry it was computed from is gone or has other columns';
  const before = entryLayer(base);
  if (before === undefined || (before && before.key !== src.key)) return 'the entry it was computed from has an unreadable layer';
  const keyType = columns.find((c) => c.name === src.key)?.type;
  const stored = keyType && storedType(keyType);
  if (!stored) return `no column ${src.key}`;
  const list = columns.map((c) => ident(c.name)).join(', ');
  // The earlier layer's rows of the keys not recomputed now, then the recomputed keys' rows.
  const rows = before
    ? `(SELECT * FROM (SELECT ${cachedColumnsSql(columns, 'read')} FROM read_parquet(${sqlPath(before.rows)})) l WHERE NOT ${inKeysSql(src.key, src.affected)} ` +
      `UNION ALL SELECT ${list} FROM ${src.fresh})`
    : src.fresh;
  const n = (await engine.query(`SELECT (SELECT count(*) FROM read_parquet(${sqlPath(base)})) AS base, (SELECT count(*) FROM ${rows} r) AS layer`)).rows[0]!;
  if (Number(n.layer) > Number(n.base) * MAX_LAYER_FRACTION) return `its layer would hold ${n.layer} rows against ${n.base} in the base`;
  const files = modelCacheLayerFiles(entry);
  const tag = `${process.pid}-${Date.now()}`;
  const tmp = (what: string) => join(o.tmpDir, `cache-${o.model}-${tag}.${what}`);
  // Whatever a killed attempt left under this fingerprint goes first (the base is the commit).
  for (const f of [entry, files.meta, files.keys, files.rows]) rmSync(f, { force: true });
  const temps = ['keys.parquet', 'rows.parquet', 'layer.json', 'parquet'].map(tmp);
  try {
    const keys = `SELECT CAST(k AS ${stored}) AS k FROM ${src.affected}` + (before ? ` UNION SELECT k FROM read_parquet(${sqlPath(before.keys)})` : '');
    await engine.execute(`COPY (SELECT DISTINCT k FROM (${keys}) k) TO ${sqlPath(temps[0]!)} (FORMAT parquet, COMPRESSION snappy)`);
    renameSync(temps[0]!, files.keys);
    await engine.execute(`COPY (SELECT ${cachedColumnsSql(columns, 'write')} FROM ${rows} r) TO ${sqlPath(temps[1]!)} (FORMAT parquet, COMPRESSION snappy)`);
    renameSync(temps[1]!, files.rows);
    const meta: CacheLayer = { key: src.key };
    writeFileSync(temps[2]!, `${JSON.stringify(meta)}\n`);
    renameSync(temps[2]!, files.meta);
    linkInto(base, temps[3]!, entry);
    return true;
  } finally {
    for (const t of temps) rmSync(t, { force: true });
  }
}
