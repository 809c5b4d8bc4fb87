import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_MARKER_KEY } from './build-marker.js';
import { lakePaths } from './layout.js';

/**
 * Marts of the embedded build live in generations: `marts/<model>/<build_id>.parquet`, one file per
 * build that wrote the mart. `warehouse.duckdb` names the files of its generation, so renaming a new
 * warehouse into place publishes every mart at once; `marts/_build.json` says which build that is and
 * which file is each mart's current one, for programs that read the Parquet directly. The previous
 * generation is kept until the next build (a reader that opened the old warehouse keeps working).
 */
export interface LocalBuildMarker {
  build_id: string;
  finished_at: string;
  ok: boolean;
  models: number;
  /** Lake-relative Parquet file of each published mart. */
  marts: Record<string, string>;
  /**
   * Staging and intermediate models published as Parquet (`models/<model>/<build_id>.parquet`): the
   * file and the fingerprint of the rows it holds, so the next build with the same fingerprint keeps
   * the file instead of linking a new one. Models not listed are views over their SQL.
   */
  model_files?: Record<string, PublishedModelFile>;
  engine?: string;
  /** What the build read, for the next build to compare against (src/warehouse/incremental.ts). */
  inputs?: unknown;
}

/** A staging or intermediate model's published rows (see LocalBuildMarker.model_files). */
export interface PublishedModelFile {
  file: string;
  fingerprint: string;
  /** The model's columns and exact types (a HUGEINT is stored as DECIMAL(38,0) and cast back). */
  columns: { name: string; type: string }[];
  /**
   * A layered model (src/warehouse/duckdb/cache-layers.ts): `file` holds an earlier build's rows,
   * `rows` the rows now of the keys in `keys` (column k of the key column `key`), which replace theirs.
   */
  layer?: { key: string; keys: string; rows: string };
}

export function newBuildId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.(\d+)Z$/, '$1Z');
  return `${stamp}-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
}

export function martGenerationFile(model: string, buildId: string): string {
  return join(lakePaths.martDir(model), `${buildId}.parquet`);
}

export function modelGenerationFile(model: string, buildId: string): string {
  return join(lakePaths.modelDir(model), `${buildId}.parquet`);
}

export function readLocalBuildMarker(lakeRoot: string): LocalBuildMarker | undefined {
  try {
    const m = JSON.parse(readFileSync(join(lakeRoot, BUILD_MARKER_KEY), 'utf8')) as Partial<LocalBuildMarker>;
    return typeof m.build_id === 'string' && m.marts && typeof m.marts === 'object' ? (m as LocalBuildMarker) : undefined;
  } catch {
    return undefined;
  }
}

/** The current Parquet file of a mart (absolute), or undefined when no build has published it. */
export function currentMartFile(lakeRoot: string, model: string): string | undefined {
  const rel = readLocalBuildMarker(lakeRoot)?.marts[model];
  if (rel && existsSync(join(lakeRoot, rel))) return join(lakeRoot, rel);
  // A lake built before generations: the mart's single file.
  const legacy = join(lakeRoot, lakePaths.martFile(model));
  return existsSync(legacy) ? legacy : undefined;
}

export function writeLocalBuildMarker(lakeRoot: string, marker: LocalBuildMarker): void {
  const file = join(lakeRoot, BUILD_MARKER_KEY);
  const tmp = join(lakeRoot, lakePaths.tmpDir(), `_build-${marker.build_id}.json`);
  mkdirSync(join(lakeRoot, lakePaths.tmpDir()), { recursive: true });
  mkdirSync(join(lakeRoot, 'marts'), { recursive: true });
  writeFileSync(tmp, `${JSON.stringify(marker, null, 2)}\n`);
  renameSync(tmp, file);
}

/**
 * Deletes mart and published model files (`marts/`, `models/`) that neither the published generation
 * nor the one before it names. With no earlier marker (a lake from before generations) the legacy
 * `data.parquet` files stay one more build.
 */
export function sweepGenerations(lakeRoot: string, current: LocalBuildMarker, previous: LocalBuildMarker | undefined): number {
  const named = (m: LocalBuildMarker | undefined) => [
    ...Object.values(m?.marts ?? {}),
    ...Object.values(m?.model_files ?? {}).flatMap((p) => [p.file, ...(p.layer ? [p.layer.keys, p.layer.rows] : [])]),
  ];
  const keep = new Set([...named(current), ...named(previous)].map((f) => join(lakeRoot, f)));
  let removed = 0;
  // Published staging and intermediate models live in generations as marts do (`models/`).
  for (const dir of [join(lakeRoot, 'marts'), join(lakeRoot, 'models')]) {
    if (!existsSync(dir)) continue;
    for (const model of readdirSync(dir, { withFileTypes: true })) {
      if (!model.isDirectory()) continue;
      for (const f of readdirSync(join(dir, model.name))) {
        if (!f.endsWith('.parquet')) continue;
        const path = join(dir, model.name, f);
        if (keep.has(path) || (!previous && f === 'data.parquet')) continue;
        // A later build still in flight (ids sort by start time) owns its files.
        if (f.slice(0, -'.parquet'.length) > current.build_id) continue;
        rmSync(path, { force: true });
        removed++;
      }
    }
  }
  return removed;
}
