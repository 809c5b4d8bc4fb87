import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import type { Config } from '../../config/config.js';
import { lakePaths } from '../../lake/layout.js';
import { currentMartFile, martGenerationFile, newBuildId, readLocalBuildMarker, sweepGenerations, type LocalBuildMarker } from '../../lake/mart-generations.js';
import { BUILD_MARKER_KEY } from '../../lake/build-marker.js';
import { LocalLakeStore } from '../../lake/local-store.js';
import { canonicalTable, type TableDef } from '../../schema/index.js';
import { duckdbTarget } from '../compile/index.js';
import { committedRawSources, type RawSources } from '../lake-sources.js';
import { sweepLocalLake } from '../../lake/sweep.js';
import { lakeFileSql, lakeFilesSql } from './lake-path.js';
import { commentWarehouse } from './comments.js';
import { sqlPath } from '../materialise.js';
import type { BuildReport, BuildSession } from '../runner.js';
import { DuckDBEngine } from './duckdb-engine.js';
import { readBuildChecks, type BuildChecks, type LedgerCounts } from '../build-checks.js';
import { cachedColumnsSql, modelCacheColumnsFile, modelCacheInputsFile, readJsonFile as readJson, storedType, sweepModelCache, type CachedColumn } from './model-cache.js';
import { modelFilePublisher } from './published-models.js';
import { PARTITIONED_MODELS, changedKeysSql, changedRowsSql, inKeysSql, sameRowsSql, sourceSlot, type PartitionSpec } from '../incremental.js';

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
};

/** A partitioned model an incremental build recomputed for some partition values only. */
export interface PartialModel {
  model: string;
  /** Partition values (customers) recomputed. */
  affected: number;
  /** Rows kept from the cached result, rows computed now. */
  kept: number;
  computed: number;
}

/** What a partitioned model's cache entry was computed from (`<fingerprint>.inputs.json`). */
interface CachedInputs {
  /** Hash of the model's own SQL, declared schema and the versions (incremental.ts, modelOwnHash). */
  own: string;
  /** Fingerprint of each model it refs, as computed then. */
  refs: Record<string, string>;
  /** For a model reading a raw table partitioned (PartitionSpec.source): the table's committed files then. */
  files?: string[];
}

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
  const engine = await DuckDBEngine.open({ path: tmpDb, lakeRoot, threads: config.duckdb.threads, memoryLimit: config.duckdb.memory_limit });
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
  const partialModels: PartialModel[] = [];
  const wholeModels: { model: string; reason: string }[] = [];
  /**
   * Partitioned models computed partially in this build: the table of partition values recomputed
   * and the fingerprint of the cached result they started from. Every other value's rows are that
   * result's, so a model reading this one, whose cached result was computed from that same
   * fingerprint, finds its changed values there instead of comparing the two versions row by row.
   */
  const partialResults = new Map<string, { affected: string; from: string; key: string }>();
  const ensureView = async (name: string, sql: string) => {
    const h = sqlHash(sql);
    if (inFile[name] !== h) await engine.execute(`CREATE OR REPLACE VIEW ${name} AS ${sql}`);
    ensured.set(name, h);
  };
  const martView = (model: string, relative: string) => ensureView(model, `SELECT * FROM read_parquet(${lakeFileSql(relative)})`);

  const describeColumns = async (relation: string): Promise<CachedColumn[]> =>
    (await engine.query(`DESCRIBE ${relation}`)).rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  const cacheEntry = (model: string, fp: string) => join(lakeRoot, lakePaths.modelCacheFile(model, fp));
  /** A cached result as a relation with its exact column types, or undefined when not there. */
  const cachedRelation = (model: string, fp: string): string | undefined => {
    const entry = cacheEntry(model, fp);
    const columns = readJson<CachedColumn[]>(modelCacheColumnsFile(entry));
    if (!columns || !existsSync(entry)) return undefined;
    return `(SELECT ${cachedColumnsSql(columns, 'read')} FROM read_parquet(${sqlPath(entry)}))`;
  };
  /**
   * A partitioned model (incremental.ts, PARTITIONED_MODELS) recomputed for the partition values whose
   * input rows changed since its cached result, the cached rows of every other value kept. Returns
   * false (and leaves nothing behind) when it cannot be: no cached result with its inputs recorded,
   * its own SQL changed, a global input changed, an old input no longer cached, other columns.
   */
  const computePartially = async (model: string, spec: PartitionSpec, partial: (refs: Readonly<Record<string, string>>) => string): Promise<true | string> => {
    const own = ownHashes?.get(model);
    const dir = join(lakeRoot, lakePaths.modelCacheDir(), model);
    if (!own || !fingerprints || !existsSync(dir)) return 'no cached result';
    // The newest cached result whose inputs are recorded: any is correct for the inputs it names.
    const candidates = readdirSync(dir)
      .filter((f) => f.endsWith('.inputs.json'))
      .map((f) => ({ fp: f.slice(0, -'.inputs.json'.length), at: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    let why = 'no cached result with its inputs recorded';
    for (const { fp } of candidates) {
      const recorded = readJson<CachedInputs>(modelCacheInputsFile(cacheEntry(model, fp)));
      const columns = readJson<CachedColumn[]>(modelCacheColumnsFile(cacheEntry(model, fp)));
      const old = cachedRelation(model, fp);
      if (!recorded || !columns || !old || !columns.some((c) => c.name === spec.key)) continue;
      if (recorded.own !== own) {
        why = 'its SQL, config or spec changed';
        continue;
      }
      // A raw table read partitioned: the batch files added or taken out since (their keys are the
      // values whose rows can differ). Retired batches keep their files; a compacted table's rows
      // moved to other files, so it is computed whole.
      let moved: string[] = [];
      if (spec.source) {
        const t = spec.source.table;
        const now = committed.get(t);
        if (!recorded.files) {
          why = 'no batches recorded';
          continue;
        }
        if (compacted?.has(t)) return `${t} is read partly from compacted files`;
        if (!now) return `${t} has no committed batches`;
        const before = new Set(recorded.files);
        const after = new Set(now);
        moved = [...now.filter((f) => !before.has(f)), ...recorded.files.filter((f) => !after.has(f))];
        const missing = moved.find((f) => !existsSync(join(lakeRoot, f)));
        if (missing) return `a batch file of ${t} it was computed from is gone (${missing})`;
      }
      const oldOf = (r: string) => (recorded.refs[r] === undefined ? undefined : cachedRelation(r, recorded.refs[r]!));
      const gone = [...Object.keys(spec.partitioned), ...Object.keys(spec.global)].filter((r) => recorded.refs[r] !== fingerprints!.get(r) && !oldOf(r));
      if (gone.length) {
        why = `the version of ${gone.join(', ')} it was computed from is no longer cached`;
        continue;
      }
      for (const [g, cols] of Object.entries(spec.global)) {
        if (recorded.refs[g] === fingerprints.get(g)) continue;
        const r = await engine.query(sameRowsSql(oldOf(g)!, g, cols));
        if (r.rows[0]?.same !== true) return `${g} changed`;
      }
      const tag = `${process.pid}_${Date.now()}`;
      const affected = `_affected_${model}_${tag}`;
      let keep = false;
      const temps: string[] = [];
      const temp = (what: string, r: string) => {
        const t = `_${what}_${model}_${r}_${tag}`;
        temps.push(t);
        return t;
      };
      try {
        // The old version of each input that changed, as a table (the diff and `reach` read it more than once).
        const oldRel: Record<string, string> = {};
        // An input computed partially in this build from the version this result was computed from:
        // only its rows of the values it recomputed can differ from that version.
        const upstream = (r: string) => {
          const done = partialResults.get(r);
          return done && done.from === recorded.refs[r] ? done : undefined;
        };
        const known = (r: string) => {
          const done = upstream(r);
          return !spec.reach && done && done.key === spec.partitioned[r]!.key ? done.affected : undefined;
        };
        // The rows of `rel` (a version of input r) the diff has to compare: those of the values r
        // recomputed when it was computed partially (every other row is the same in both versions), all otherwise.
        const diffed = (r: string, rel: string) => {
          const done = upstream(r);
          return done ? `(SELECT * FROM ${rel} WHERE ${inKeysSql(done.key, done.affected)})` : rel;
        };
        for (const r of Object.keys(spec.partitioned)) {
          if (recorded.refs[r] === fingerprints.get(r)) oldRel[r] = r;
          else if (known(r)) oldRel[r] = `(unused ${r})`;
          else {
            oldRel[r] = temp('old', r);
            // Without a reach only the diff reads the old version: the rows it compares are enough.
            await engine.execute(`CREATE TEMP TABLE ${oldRel[r]} AS SELECT * FROM ${spec.reach ? oldOf(r)! : diffed(r, oldOf(r)!)}`);
          }
        }
        // The reach's helper relations, once per world (the old one only when some input changed).
        const newHelpers: Record<string, string> = {};
        const oldHelpers: Record<string, string> = {};
        const inWorld = (helpers: Record<string, string>, old?: (x: string) => string | undefined) => (x: string) => helpers[x] ?? old?.(x) ?? x;
        const anyChanged = Object.keys(spec.partitioned).some((r) => oldRel[r] !== r);
        for (const [name, sqlOf] of Object.entries(spec.reach?.helpers ?? {})) {
          newHelpers[name] = temp('new', name);
          await engine.execute(`CREATE TEMP TABLE ${newHelpers[name]} AS ${sqlOf((x) => x)}`);
          if (!anyChanged) continue;
          oldHelpers[name] = temp('old', name);
          await engine.execute(`CREATE TEMP TABLE ${oldHelpers[name]} AS ${sqlOf((x) => oldRel[x] ?? x)}`);
        }
        const changed: string[] = [];
        for (const [r, p] of Object.entries(spec.partitioned)) {
          if (oldRel[r] === r) continue;
          const propagated = known(r);
          if (propagated) {
            changed.push(`SELECT k FROM ${propagated}`);
            continue;
          }
          if (!spec.reach) {
            changed.push(changedKeysSql(oldRel[r]!, diffed(r, r), p.key, p.columns));
            continue;
          }
          // Rows added and rows gone, each mapped to the values it reaches in its own world.
          const rows = temp('changed', r);
          await engine.execute(`CREATE TEMP TABLE ${rows} AS ${changedRowsSql(diffed(r, oldRel[r]!), diffed(r, r), p.columns)}`);
          changed.push(
            spec.reach.keys(r, `(SELECT * FROM ${rows} WHERE _change > 0)`, inWorld(newHelpers)),
            spec.reach.keys(r, `(SELECT * FROM ${rows} WHERE _change < 0)`, inWorld(oldHelpers, (x) => oldRel[x])),
          );
        }
        // The keys of every row of the batches added or taken out.
        if (spec.source && moved.length) changed.push(`SELECT DISTINCT "${spec.source.key}" AS k FROM read_parquet(${lakeFilesSql(moved)}, union_by_name = true)`);
        // Typed like the model's key, also when no input changed.
        changed.push(`SELECT "${spec.key}" AS k FROM ${old} WHERE 1 = 0`);
        await engine.execute(`CREATE TEMP TABLE ${affected} AS SELECT DISTINCT k FROM (${changed.map((c) => `(${c})`).join(' UNION ALL ')}) c`);
        const over: Record<string, string> = {};
        for (const [r, p] of Object.entries(spec.partitioned)) {
          const cols = p.columns.map((c) => `"${c}"`).join(', ');
          const rows = spec.reach ? `(${spec.reach.filter(r, (c) => inKeysSql(c, affected), inWorld(newHelpers))}) f` : `${r} WHERE ${inKeysSql(p.key, affected)}`;
          over[r] = temp('part', r);
          await engine.execute(`CREATE TEMP TABLE ${over[r]} AS SELECT ${cols} FROM ${rows}`);
        }
        if (spec.source) {
          // Every version (in every committed batch) of the affected keys: ranked among themselves as in
          // the whole computation.
          const slot = sourceSlot(spec.source.table);
          over[slot] = temp('part', spec.source.table);
          await engine.execute(`CREATE TEMP TABLE ${over[slot]} AS SELECT * FROM ${target.source(canonicalTable(spec.source.table))} s WHERE ${inKeysSql(spec.source.key, affected)}`);
        }
        for (const [g, cols] of Object.entries(spec.global)) {
          over[g] = temp('part', g);
          await engine.execute(`CREATE TEMP VIEW ${over[g]} AS SELECT ${cols.map((c) => `"${c}"`).join(', ')} FROM ${g}`);
        }
        const sql = partial(over);
        // The recomputed rows must come with exactly the cached result's columns and types.
        if (JSON.stringify(await describeColumns(sql)) !== JSON.stringify(columns)) return 'its columns changed';
        const list = columns.map((c) => `"${c.name}"`).join(', ');
        // Only the affected values' rows of the recomputation: those are complete (every input row of
        // theirs was read); any other value's rows it gives are not, and are kept from the cache.
        const fresh = temp('fresh', model);
        await engine.execute(`CREATE TEMP TABLE ${fresh} AS SELECT ${list} FROM (${sql}) n WHERE ${inKeysSql(spec.key, affected)}`);
        await engine.execute(
          `CREATE OR REPLACE TEMP TABLE ${model} AS SELECT ${list} FROM ${old} o WHERE NOT ${inKeysSql(spec.key, affected)} UNION ALL SELECT ${list} FROM ${fresh}`,
        );
        const counts = await engine.query(
          `SELECT (SELECT count(*) FROM ${affected}) AS affected, (SELECT count(*) FROM ${fresh}) AS computed, (SELECT count(*) FROM ${model}) AS total`,
        );
        const c = counts.rows[0]!;
        partialModels.push({ model, affected: Number(c.affected), kept: Number(c.total) - Number(c.computed), computed: Number(c.computed) });
        partialResults.set(model, { affected, from: fp, key: spec.key });
        keep = true;
        return true as const;
      } finally {
        for (const t of temps.reverse()) {
          await engine.execute(`DROP VIEW IF EXISTS ${t}`).catch(() => undefined);
          await engine.execute(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
        }
        // Kept while the build runs when the model was computed partially: models reading it use it.
        if (!keep) await engine.execute(`DROP TABLE IF EXISTS ${affected}`);
      }
    }
    return why;
  };
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
    partial: ((refs: Readonly<Record<string, string>>) => string) | undefined,
  ): Promise<CachedColumn[] | undefined> => {
    if (entry && reuseCache && existsSync(entry)) {
      try {
        const columns = JSON.parse(readFileSync(modelCacheColumnsFile(entry), 'utf8')) as CachedColumn[];
        await engine.execute(`CREATE OR REPLACE TEMP TABLE ${model} AS SELECT ${cachedColumnsSql(columns, 'read')} FROM read_parquet(${sqlPath(entry)})`);
        // Read back with exactly the columns and types it was computed with, or not used.
        if (JSON.stringify(await describeColumns(model)) !== JSON.stringify(columns)) throw new Error('cached columns differ');
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
    if (entry && reuseCache && spec && partial) {
      const outcome = await computePartially(model, spec, partial).catch((e: Error) => `failed (${e.message.split('\n')[0]})`);
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
      const columns = await describeColumns(model);
      if (columns.every((c) => storedType(c.type) !== undefined)) {
        const tmp = join(tmpDir, `cache-${model}-${process.pid}-${Date.now()}.parquet`);
        try {
          mkdirSync(dirname(entry), { recursive: true });
          writeFileSync(modelCacheColumnsFile(entry), `${JSON.stringify(columns)}\n`);
          // A partitioned model records what it was computed from: a later build recomputes it for
          // the customers whose rows in those inputs changed (computePartially).
          const own = ownHashes?.get(model);
          if (spec && own) {
            const files = spec.source && committed.get(spec.source.table);
            const inputs: CachedInputs = {
              own,
              refs: Object.fromEntries([...Object.keys(spec.partitioned), ...Object.keys(spec.global)].sort().map((r) => [r, fingerprints!.get(r)!])),
              ...(files ? { files: [...files].sort() } : {}),
            };
            writeFileSync(modelCacheInputsFile(entry), `${JSON.stringify(inputs)}\n`);
          }
          await engine.execute(`COPY (SELECT ${cachedColumnsSql(columns, 'write')} FROM ${model}) TO ${sqlPath(tmp)} (FORMAT parquet, COMPRESSION snappy)`);
          renameSync(tmp, entry);
          return columns;
        } finally {
          rmSync(tmp, { force: true });
        }
      }
    }
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
        const rowGroup = declared.rowGroupRows ? `, ROW_GROUP_SIZE ${Math.trunc(declared.rowGroupRows)}` : '';
        await engine.execute(`COPY (${sql}) TO ${sqlPath(tmp)} (FORMAT parquet, COMPRESSION zstd${rowGroup})`);
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
    partialModels: () => [...partialModels],
    wholeModels: () => [...wholeModels],
  };
}
