import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../../config/config.js';
import { lakePaths } from '../../lake/layout.js';
import { currentMartFile, martGenerationFile, newBuildId, readLocalBuildMarker, sweepGenerations, type LocalBuildMarker } from '../../lake/mart-generations.js';
import { BUILD_MARKER_KEY } from '../../lake/build-marker.js';
import { LocalLakeStore } from '../../lake/local-store.js';
import type { TableDef } from '../../schema/index.js';
import { duckdbTarget } from '../compile/index.js';
import { committedRawSources, type RawSources } from '../lake-sources.js';
import { sweepLocalLake } from '../../lake/sweep.js';
import { lakeFileSql } from './lake-path.js';
import { commentWarehouse } from './comments.js';
import { sqlPath } from '../materialise.js';
import type { BuildReport, BuildSession } from '../build-session.js';
import { DuckDBEngine } from './duckdb-engine.js';
import { duckdbShareBesideProcess, duckDBResources } from './resources.js';
import { readBuildChecks, type BuildChecks, type LedgerCounts } from '../build-checks.js';
import {
  cachedColumnsSql,
  describeColumns,
  entryRowsSql,
  modelCacheColumnsFile,
  modelCacheInputsFile,
  modelCacheLayerFiles,
  storedType,
  sweepModelCache,
  type CachedColumn,
} from './model-cache.js';
import { writeLayeredEntry } from './cache-layers.js';
import { partialComputer, type PartialModel } from './partial-compute.js';
import { modelFilePublisher } from './published-models.js';
import { writeMartFile } from './mart-file.js';
import { PARTITIONED_MODELS } from '../partitions.js';

/**
 * The embedded build: views and this build's marts go into a new `warehouse.duckdb` under a temporary
 * name, marts into new files `marts/<model>/<build_id>.parquet`; publishing renames the database into
 * place (the one pointer every DuckDB reader opens), then records the generation in `marts/_build.json`
 * and sweeps generations older than the previous one. A failed or killed build never touches the
 * published database, so `query`, `serve` and any DuckDB client keep seeing the complete previous build.
 */
/** The embedded build's session; `checks()` gives the build checks read before publishing (undefined before). */
export type DuckDBBuildSession = BuildSession & {
  checks(): BuildChecks | undefined;
  /** The committed raw files the build reads (per table) and the compacted tables. */
  readonly sources: RawSources;
  /** The marker of the build published when this one started. */
  readonly previous: LocalBuildMarker | undefined;
  /** Ledger counts the checks take as they are (an incremental build whose counted models did not change). */
  useCounts(counts: LedgerCounts): void;
  /** Hash of the SQL of every view the new warehouse holds, for the next build to reuse (see `reuse`). */
  views(): Record<string, string>;
  /**
   * The fingerprint of each model (src/warehouse/incremental.ts): a staging or intermediate model the
   * build keeps as a table is kept in the lake's model cache under it, and read from there by a later
   * build with the same fingerprint (`reuse`: read; false: compute and store only, a full refresh).
   * `modelCache` false (a --select build): the cache is neither read nor written, and the fingerprints
   * only let a model keep the rows the previous build published for the same fingerprint.
   */
  useFingerprints(fingerprints: ReadonlyMap<string, string>, reuse: boolean, own?: ReadonlyMap<string, string>, modelCache?: boolean): void;
  /** Models this build read from the model cache instead of computing them. */
  reusedModels(): string[];
  /** Partitioned models this build recomputed for the affected customers only (the others' rows from the cache). */
  partialModels(): PartialModel[];
  /** Partitioned models this build computed whole, and why (no cached result, a global input changed, …). */
  wholeModels(): { model: string; reason: string }[];
  /** Partially recomputed models whose cache entry this build wrote as a layer over the one it started from. */
  layeredModels(): string[];
};

export interface DuckDBBuildOptions {
  /**
   * Start from a copy of the published warehouse file and create only the views whose SQL changed
   * (an incremental build). Creating a view binds its query, and a view over views over views binds
   * the whole tree: at 1M invoices recreating the unchanged intermediate views cost more than the
   * marts an incremental build writes.
   */
  reuse?: boolean;
}

const sqlHash = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

export async function openDuckDBBuild(lakeRootIn: string, config: Config, opts: DuckDBBuildOptions = {}): Promise<DuckDBBuildSession> {
  const lakeRoot = resolve(lakeRootIn);
  const buildId = newBuildId();
  const tmpDir = join(lakeRoot, lakePaths.tmpDir());
  // Temporaries of a killed earlier build (or ingest) go first; ours carry pid and time, so the next
  // run's sweep recognises them too.
  sweepLocalLake(lakeRoot);
  mkdirSync(tmpDir, { recursive: true });
  const tmpDb = join(tmpDir, `warehouse-${process.pid}-${Date.now()}.duckdb`);
  const finalDb = join(lakeRoot, lakePaths.warehouseDb());
  const previous = readLocalBuildMarker(lakeRoot);
  // The views the published file holds, as the previous build recorded them.
  const recorded = (previous?.inputs as { views?: Record<string, string> } | undefined)?.views;
  const reused = Boolean(opts.reuse && recorded && existsSync(finalDb) && !existsSync(`${finalDb}.wal`));
  if (reused) copyFileSync(finalDb, tmpDb);
  const inFile: Record<string, string> = reused ? recorded! : {};
  const ensured = new Map<string, string>();
  const marts: Record<string, string> = {};
  const written: string[] = [];
  // Only committed batches count: a table whose files no manifest names yet (a killed first ingest)
  // reads as empty, never as the uncommitted files.
  const sources = await committedRawSources(lakeRoot);
  const { files: committed, compacted } = sources;
  const target = duckdbTarget({ tablesWithFiles: new Set(committed.keys()), committedFiles: committed, compacted });
  // The limit is the build's budget, not DuckDB's alone (resources.ts duckdbShareBesideProcess).
  const memoryLimit = duckdbShareBesideProcess(config.duckdb.memory_limit ?? duckDBResources().memoryLimit);
  const engine = await DuckDBEngine.open({ path: tmpDb, lakeRoot, threads: config.duckdb.threads, memoryLimit });
  let closed = false;
  let published = false;
  let checks: BuildChecks | undefined;
  let knownCounts: LedgerCounts | undefined;
  const closeEngine = async () => {
    if (closed) return;
    closed = true;
    await engine.close();
  };
  // Lake-relative, so a copied or moved lake reads its own marts (see lake-path.ts).
  let fingerprints: ReadonlyMap<string, string> | undefined;
  let ownHashes: ReadonlyMap<string, string> | undefined;
  let reuseCache = false;
  let useModelCache = false;
  const reusedModels: string[] = [];
  const wholeModels: { model: string; reason: string }[] = [];
  const layeredModels: string[] = [];
  const ensureView = async (name: string, sql: string) => {
    const h = sqlHash(sql);
    if (inFile[name] !== h) await engine.execute(`CREATE OR REPLACE VIEW ${name} AS ${sql}`);
    ensured.set(name, h);
  };
  const martView = (model: string, relative: string) => ensureView(model, `SELECT * FROM read_parquet(${lakeFileSql(relative)})`);

  const partial = partialComputer({ engine, lakeRoot, target, sources, fingerprints: () => fingerprints, ownHashes: () => ownHashes });
  /**
   * Makes the build's table of a staging or intermediate model: read from the model cache when an
   * entry with the same fingerprint is there, else computed (partially for a partitioned model when it
   * can be) and stored in the cache. Returns the columns of the stored entry, undefined when the model
   * has no entry (no fingerprint, or a column type Parquet does not hold).
   */
  const cacheTable = async (
    model: string,
    buildSql: string,
    entry: string | undefined,
    partialSql: ((refs: Readonly<Record<string, string>>) => string) | undefined,
  ): Promise<CachedColumn[] | undefined> => {
    if (entry && reuseCache && existsSync(entry)) {
      try {
        const columns = JSON.parse(readFileSync(modelCacheColumnsFile(entry), 'utf8')) as CachedColumn[];
        const rows = entryRowsSql(entry, columns);
        if (!rows) throw new Error('a layer of the entry is missing');
        await engine.execute(`CREATE OR REPLACE TEMP TABLE ${model} AS ${rows}`);
        // Read back with exactly the columns and types it was computed with, or not used.
        if (JSON.stringify(await describeColumns(engine, model)) !== JSON.stringify(columns)) throw new Error('cached columns differ');
        reusedModels.push(model);
        return columns;
      } catch {
        // Unreadable (a disk that filled up, an entry of an older layout): computed again below.
        rmSync(entry, { force: true });
      }
    }
    const spec = PARTITIONED_MODELS[model];
    // A partial computation that fails for any reason (a disk that filled up, an entry of an older
    // layout) leaves the model to be computed whole: slower, never different.
    let computedPartially = false;
    if (entry && reuseCache && spec && partialSql) {
      const outcome = await partial.compute(model, spec, partialSql, buildSql).catch((e: Error) => `failed (${e.message.split('\n')[0]})`);
      if (outcome === true) computedPartially = true;
      else wholeModels.push({ model, reason: outcome });
    }
    if (!computedPartially) await engine.execute(`CREATE OR REPLACE TEMP TABLE ${model} AS ${buildSql}`);
    if (entry) {
      // Kept in the model cache under its fingerprint: rows with the same fingerprint are the same
      // rows, so a later build reads them instead of computing them again. Parquet (snappy) writes
      // in less than half the CPU time of DuckDB's own compressed format; a column type Parquet
      // does not hold exactly is stored as one it does (HUGEINT as DECIMAL(38,0)) and cast back, and
      // a model with a type neither does is not cached. The parquet file is renamed into place
      // last, so an entry is complete or absent, also after a killed build.
      const columns = await describeColumns(engine, model);
      if (columns.every((c) => storedType(c.type) !== undefined)) {
        const tmp = join(tmpDir, `cache-${model}-${process.pid}-${Date.now()}.parquet`);
        try {
          mkdirSync(dirname(entry), { recursive: true });
          // A layer a killed attempt (or a build before a full refresh) left under this fingerprint
          // would be read over the whole entry; its record goes first.
          const layerFiles = modelCacheLayerFiles(entry);
          for (const f of [layerFiles.meta, layerFiles.keys, layerFiles.rows]) rmSync(f, { force: true });
          writeFileSync(modelCacheColumnsFile(entry), `${JSON.stringify(columns)}\n`);
          // A partitioned model records what it was computed from: a later build recomputes it for
          // the customers whose rows in those inputs changed (computePartially).
          const inputs = spec && partial.inputsRecord(model, spec);
          if (inputs) writeFileSync(modelCacheInputsFile(entry), `${JSON.stringify(inputs)}\n`);
          // Computed partially: the recomputed keys' rows as a layer over the entry the rest was
          // kept from (cache-layers.ts), unless that layer has grown too large.
          const layer = computedPartially ? partial.layer(model) : undefined;
          if (layer) {
            const layered = await writeLayeredEntry(engine, { lakeRoot, model, entry, columns, tmpDir, src: layer }).catch(
              (e: Error) => `failed (${e.message.split('\n')[0]})`,
            );
            if (layered === true) {
              layeredModels.push(model);
              return columns;
            }
            for (const f of [layerFiles.meta, layerFiles.keys, layerFiles.rows]) rmSync(f, { force: true });
          }
          await engine.execute(`COPY (SELECT ${cachedColumnsSql(columns, 'write')} FROM ${model}) TO ${sqlPath(tmp)} (FORMAT parquet, COMPRESSION snappy)`);
          renameSync(tmp, entry);
          return columns;
        } finally {
          rmSync(tmp, { force: true });
          await partial.release(model);
        }
      }
    }
    await partial.release(model);
    return undefined;
  };
  const modelFiles = modelFilePublisher({ lakeRoot, buildId, tmpDir, previous, ensureView, wrote: (f) => written.push(f) });
  const createView = async (model: string, sql: string, alias?: string) => {
    // A model this build does not compute keeps the rows the previous build published when its
    // fingerprint says they are still its rows.
    if (await modelFiles.keepPrevious(model, fingerprints?.get(model), alias)) return model;
    await ensureView(model, sql);
    if (alias) await ensureView(alias, sql);
    return model;
  };

  return {
    engineName: 'duckdb',
    lakeRoot,
    warehouse: finalDb,
    buildId,
    engine,
    target,
    martMaterialisation: 'parquet',
    schemaCheck: 'plan',
    // One connection to the new warehouse file; DuckDB parallelises inside each statement.
    concurrency: 1,
    // The failing rows stay inspectable in the new warehouse; the CLI exits 1.
    onFailedTests: 'publish',
    marker: { store: new LocalLakeStore(lakeRoot), key: BUILD_MARKER_KEY },
    // Views in warehouse.duckdb name models by their published names; this build reads its own relations.
    createView: (model, sql, _buildSql, alias) => createView(model, sql, alias),
    async cache(model, sql, buildSql, alias, partial) {
      // A temporary table under the model's own name: gone with the build's connection, never part of
      // the published database. DuckDB looks names up in `temp` first, so every later view that refs
      // this model binds against the table instead of expanding this model's whole view tree again.
      const fp = fingerprints?.get(model);
      const entry = fp && useModelCache ? join(lakeRoot, lakePaths.modelCacheFile(model, fp)) : undefined;
      const stored = await cacheTable(model, buildSql, entry, partial);
      // Readers see the rows this build computed (published-models.ts). Without a cache entry (a type
      // Parquet cannot hold) the model stays a view.
      if (stored && fp) await modelFiles.publish(model, entry!, fp, stored, alias);
      else await createView(model, sql, alias);
      return model;
    },
    describe: async (sql) => {
      const res = await engine.query(`DESCRIBE ${sql}`);
      return res.rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    },
    async writeMart(model: string, sql: string, declared: TableDef) {
      const rel = martGenerationFile(model, buildId);
      const file = join(lakeRoot, rel);
      mkdirSync(dirname(file), { recursive: true });
      const tmp = join(tmpDir, `${model}-${process.pid}-${Date.now()}.parquet`);
      try {
        await writeMartFile(engine, model, sql, declared, tmp);
        renameSync(tmp, file);
        written.push(file);
      } finally {
        rmSync(tmp, { force: true });
      }
      marts[model] = rel;
      await martView(model, rel);
      const count = await engine.query(`SELECT count(*) AS n FROM read_parquet(${sqlPath(file)})`);
      return { relation: model, rows: Number(count.rows[0]!.n) };
    },
    async keepMart(model) {
      const file = currentMartFile(lakeRoot, model);
      if (!file) return undefined;
      marts[model] = file.slice(lakeRoot.length + 1);
      await martView(model, marts[model]);
      return model;
    },
    // What every view and column means, where SQL clients look for it.
    afterModels: async (project) => {
      // A reused file may hold views of models this build no longer has (or did not build).
      if (reused) {
        for (const name of Object.keys(inFile)) if (!ensured.has(name)) await engine.execute(`DROP VIEW IF EXISTS main.${name}`);
      }
      await commentWarehouse(engine, project);
      // Read here, where every model this build made is still a cached table: on the published file
      // the same counts expand whole view trees again (bank matching under int_payment_allocations:
      // minutes and gigabytes at 1M invoices).
      checks = await readBuildChecks(engine, { counts: knownCounts });
    },
    async publish(_report: BuildReport) {
      await closeEngine();
      rmSync(`${finalDb}.wal`, { force: true });
      renameSync(tmpDb, finalDb);
      // From here on the new generation is what readers see: nothing below may discard its files.
      published = true;
      return { marts, model_files: modelFiles.files() };
    },
    async afterPublish(marker) {
      sweepGenerations(lakeRoot, { ...marker, marts }, previous);
      // A --select build leaves the cache alone (older entries are what partial recomputes start from).
      if (fingerprints && useModelCache) sweepModelCache(lakeRoot, fingerprints);
    },
    async discard() {
      await closeEngine();
      if (published) return;
      rmSync(tmpDb, { force: true });
      rmSync(`${tmpDb}.wal`, { force: true });
      for (const f of written) if (existsSync(f)) rmSync(f, { force: true });
    },
    close: closeEngine,
    checks: () => checks,
    sources,
    previous,
    useCounts: (c) => {
      knownCounts = c;
    },
    views: () => Object.fromEntries([...ensured].sort(([a], [b]) => a.localeCompare(b))),
    useFingerprints: (f, reuse, own, modelCache = true) => {
      fingerprints = f;
      reuseCache = reuse && modelCache;
      useModelCache = modelCache;
      ownHashes = own;
    },
    reusedModels: () => [...reusedModels],
    partialModels: () => partial.models(),
    wholeModels: () => [...wholeModels],
    layeredModels: () => [...layeredModels],
  };
}
