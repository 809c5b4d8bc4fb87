import { copyFileSync, existsSync, linkSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { modelGenerationFile, type LocalBuildMarker, type PublishedModelFile } from '../../lake/mart-generations.js';
import { lakeFileSql } from './lake-path.js';
import { entryLayer, layeredRowsSql, type CachedColumn } from './model-cache.js';

/**
 * Staging and intermediate models as readers see them: the rows the build computed, published as
 * `models/<model>/<build_id>.parquet` with a view over the file, instead of a view over the model's SQL
 * (a view over views over the raw files recomputes the whole tree at each query: a count over
 * int_ar_item_events took 36 s on the demo lake). Generations are swept with the marts'
 * (mart-generations.ts).
 */
export interface ModelFilePublisher {
  /**
   * Publishes a model's cache entry as its rows: a hard link of each of its files (no copy; the cache
   * may be swept or deleted later, the link keeps the rows), or the previous build's file when it holds rows of the
   * same fingerprint; then the model's view (and its canonical name's) over that file.
   */
  publish(model: string, entry: string, fingerprint: string, columns: CachedColumn[], alias?: string): Promise<void>;
  /**
   * For a model this build does not compute (an incremental build that left it alone, a --select
   * build): points its views at the previous build's file when that file holds this fingerprint's
   * rows. False when there is none, and the caller makes the model a view over its SQL.
   */
  keepPrevious(model: string, fingerprint: string | undefined, alias?: string): Promise<boolean>;
  /** The files readers see after this build, for the build marker. */
  files(): Record<string, PublishedModelFile>;
}

export interface ModelFilePublisherOptions {
  lakeRoot: string;
  buildId: string;
  /** Where a link is made before it is renamed into place (same file system as the lake). */
  tmpDir: string;
  previous: LocalBuildMarker | undefined;
  /** Creates (or keeps, when its SQL is unchanged) a view in the new warehouse. */
  ensureView(name: string, sql: string): Promise<void>;
  /** Called with every file this build adds, so a failed build can remove them. */
  wrote(file: string): void;
}

export function modelFilePublisher(o: ModelFilePublisherOptions): ModelFilePublisher {
  const files: Record<string, PublishedModelFile> = {};
  /** The previous build's file of this model when it holds rows of this fingerprint and is still there. */
  const keptFile = (model: string, fingerprint: string | undefined): PublishedModelFile | undefined => {
    const before = o.previous?.model_files?.[model];
    if (!fingerprint || before?.fingerprint !== fingerprint || !Array.isArray(before.columns)) return undefined;
    const needed = [before.file, ...(before.layer ? [before.layer.keys, before.layer.rows] : [])];
    return needed.every((f) => existsSync(join(o.lakeRoot, f))) ? before : undefined;
  };
  const view = async (model: string, published: PublishedModelFile, alias?: string) => {
    files[model] = published;
    const { layer } = published;
    const sql = layeredRowsSql(
      published.columns,
      lakeFileSql(published.file),
      layer && { key: layer.key, keys: lakeFileSql(layer.keys), rows: lakeFileSql(layer.rows) },
    );
    await o.ensureView(model, sql);
    if (alias) await o.ensureView(alias, sql);
  };
  return {
    async publish(model, entry, fingerprint, columns, alias) {
      const kept = keptFile(model, fingerprint);
      if (kept) return view(model, { ...kept, columns }, alias);
      const rel = modelGenerationFile(model, o.buildId);
      // A layered cache entry (cache-layers.ts) is published as its three files and a view reading
      // them as the cache does; its layer's files go first, the base (what the view is named by) last.
      const layer = entryLayer(entry);
      if (layer === undefined) throw new Error(`the cache entry of ${model} lacks a layer file`);
      const publishedLayer = layer && { key: layer.key, keys: rel.replace(/\.parquet$/, '.keys.parquet'), rows: rel.replace(/\.parquet$/, '.rows.parquet') };
      mkdirSync(dirname(join(o.lakeRoot, rel)), { recursive: true });
      const put = (from: string, to: string) => {
        const file = join(o.lakeRoot, to);
        const tmp = join(o.tmpDir, `model-${model}-${process.pid}-${Date.now()}.parquet`);
        try {
          try {
            linkSync(from, tmp);
          } catch {
            // A file system without hard links: a copy, still renamed into place whole.
            copyFileSync(from, tmp);
          }
          renameSync(tmp, file);
          o.wrote(file);
        } finally {
          rmSync(tmp, { force: true });
        }
      };
      if (layer && publishedLayer) {
        put(layer.keys, publishedLayer.keys);
        put(layer.rows, publishedLayer.rows);
      }
      put(entry, rel);
      await view(model, { file: rel, fingerprint, columns, ...(publishedLayer ? { layer: publishedLayer } : {}) }, alias);
    },
    async keepPrevious(model, fingerprint, alias) {
      const kept = keptFile(model, fingerprint);
      if (!kept) return false;
      await view(model, kept, alias);
      return true;
    },
    files: () => files,
  };
}
