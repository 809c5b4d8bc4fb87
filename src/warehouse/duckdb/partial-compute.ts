import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { lakePaths } from '../../lake/layout.js';
import { canonicalTable } from '../../schema/index.js';
import type { duckdbTarget } from '../compile/index.js';
import type { RawSources } from '../lake-sources.js';
import { changedKeysSql, changedRowsSql, inKeysSql, sameRowsSql, sourceSlot, type PartitionSpec } from '../partitions.js';
import type { DuckDBEngine } from './duckdb-engine.js';
import { lakeFilesSql } from './lake-path.js';
import { cachedRelationSql, describeColumns, modelCacheColumnsFile, modelCacheEntry, modelCacheInputsFile, readJsonFile as readJson, type CachedColumn } from './model-cache.js';

/**
 * Incremental recomputation of a partitioned model (partitions.ts, PARTITIONED_MODELS) in the
 * embedded build: the partition values (customers, documents, days, staging keys) whose input rows
 * changed since the model's cached result are computed again, every other value's rows are kept from
 * that result. Correct by construction for the reasons incremental.ts gives per model; whatever this
 * cannot establish (no recorded inputs, a changed global input, a compacted table) makes the caller
 * compute the model whole: slower, never different.
 */

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
export interface CachedInputs {
  /** Hash of the model's own SQL, declared schema and the versions (incremental.ts, modelOwnHash). */
  own: string;
  /** Fingerprint of each model it refs, as computed then. */
  refs: Record<string, string>;
  /** For a model reading a raw table partitioned (PartitionSpec.source): the table's committed files then. */
  files?: string[];
}

export interface PartialComputeContext {
  engine: DuckDBEngine;
  lakeRoot: string;
  target: ReturnType<typeof duckdbTarget>;
  /** The committed raw files the build reads (per table) and the compacted tables. */
  sources: RawSources;
  /** Every model's fingerprint in this build (known once the runner has compiled the project). */
  fingerprints(): ReadonlyMap<string, string> | undefined;
  /** Every model's own hash: its SQL, config values, spec and versions. */
  ownHashes(): ReadonlyMap<string, string> | undefined;
}

export interface PartialComputer {
  /**
   * Makes the temp table `model` from its cached result and the recomputed values: true when done,
   * else why it could not be (and nothing is left behind).
   */
  compute(model: string, spec: PartitionSpec, partial: (refs: Readonly<Record<string, string>>) => string, wholeSql?: string): Promise<true | string>;
  /** What to record beside a partitioned model's new cache entry (undefined: nothing to record). */
  inputsRecord(model: string, spec: PartitionSpec): CachedInputs | undefined;
  /** The models computed partially so far. */
  models(): PartialModel[];
  /**
   * What a model computed partially in this build was computed from: the fingerprint of the cached
   * result it kept rows of, the temp tables of the keys it recomputed (column k) and of their rows
   * now (undefined: not computed partially, or its rows released). The cache writes these as a layer
   * over that result (cache-layers.ts).
   */
  layer(model: string): { from: string; affected: string; fresh: string; key: string } | undefined;
  /** Drops the temp table of a model's recomputed rows (once its cache entry is written). */
  release(model: string): Promise<void>;
}

export function partialComputer(ctx: PartialComputeContext): PartialComputer {
  const partialModels: PartialModel[] = [];
  /**
   * Partitioned models computed partially in this build: the table of partition values recomputed
   * and the fingerprint of the cached result they started from. Every other value's rows are that
   * result's, so a model reading this one, whose cached result was computed from that same
   * fingerprint, finds its changed values there instead of comparing the two versions row by row.
   */
  const partialResults = new Map<string, { affected: string; from: string; key: string; fresh?: string }>();
  /**
   * A partitioned model (partitions.ts, PARTITIONED_MODELS) recomputed for the partition values whose
   * input rows changed since its cached result, the cached rows of every other value kept. Returns
   * false (and leaves nothing behind) when it cannot be: no cached result with its inputs recorded,
   * its own SQL changed, a global input changed, an old input no longer cached, other columns.
   */
  const compute = async (model: string, spec: PartitionSpec, partial: (refs: Readonly<Record<string, string>>) => string, wholeSql?: string): Promise<true | string> => {
    const fingerprints = ctx.fingerprints();
    const own = ctx.ownHashes()?.get(model);
    const dir = join(ctx.lakeRoot, lakePaths.modelCacheDir(), model);
    if (!own || !fingerprints || !existsSync(dir)) return 'no cached result';
    // The newest cached result whose inputs are recorded: any is correct for the inputs it names.
    const candidates = readdirSync(dir)
      .filter((f) => f.endsWith('.inputs.json'))
      .map((f) => ({ fp: f.slice(0, -'.inputs.json'.length), at: statSync(join(dir, f)).mtimeMs }))
      .sort((a, b) => b.at - a.at);
    let why = 'no cached result with its inputs recorded';
    for (const { fp } of candidates) {
      const recorded = readJson<CachedInputs>(modelCacheInputsFile(modelCacheEntry(ctx.lakeRoot, model, fp)));
      const columns = readJson<CachedColumn[]>(modelCacheColumnsFile(modelCacheEntry(ctx.lakeRoot, model, fp)));
      const old = cachedRelationSql(ctx.lakeRoot, model, fp);
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
        const now = ctx.sources.files.get(t);
        if (!recorded.files) {
          why = 'no batches recorded';
          continue;
        }
        if (ctx.sources.compacted?.has(t)) return `${t} is read partly from compacted files`;
        if (!now) return `${t} has no committed batches`;
        const before = new Set(recorded.files);
        const after = new Set(now);
        moved = [...now.filter((f) => !before.has(f)), ...recorded.files.filter((f) => !after.has(f))];
        const missing = moved.find((f) => !existsSync(join(ctx.lakeRoot, f)));
        if (missing) return `a batch file of ${t} it was computed from is gone (${missing})`;
      }
      const oldOf = (r: string) => (recorded.refs[r] === undefined ? undefined : cachedRelationSql(ctx.lakeRoot, r, recorded.refs[r]!));
      const gone = [...Object.keys(spec.partitioned), ...Object.keys(spec.global)].filter((r) => recorded.refs[r] !== fingerprints.get(r) && !oldOf(r));
      if (gone.length) {
        why = `the version of ${gone.join(', ')} it was computed from is no longer cached`;
        continue;
      }
      for (const [g, cols] of Object.entries(spec.global)) {
        if (recorded.refs[g] === fingerprints.get(g)) continue;
        const r = await ctx.engine.query(sameRowsSql(oldOf(g)!, g, cols));
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
            await ctx.engine.execute(`CREATE TEMP TABLE ${oldRel[r]} AS SELECT * FROM ${spec.reach ? oldOf(r)! : diffed(r, oldOf(r)!)}`);
          }
        }
        // The reach's helper relations, once per world (the old one only when some input changed).
        const newHelpers: Record<string, string> = {};
        const oldHelpers: Record<string, string> = {};
        const inWorld = (helpers: Record<string, string>, old?: (x: string) => string | undefined) => (x: string) => helpers[x] ?? old?.(x) ?? x;
        const anyChanged = Object.keys(spec.partitioned).some((r) => oldRel[r] !== r);
        for (const [name, sqlOf] of Object.entries(spec.reach?.helpers ?? {})) {
          newHelpers[name] = temp('new', name);
          await ctx.engine.execute(`CREATE TEMP TABLE ${newHelpers[name]} AS ${sqlOf((x) => x)}`);
          if (!anyChanged) continue;
          oldHelpers[name] = temp('old', name);
          await ctx.engine.execute(`CREATE TEMP TABLE ${oldHelpers[name]} AS ${sqlOf((x) => oldRel[x] ?? x)}`);
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
          await ctx.engine.execute(`CREATE TEMP TABLE ${rows} AS ${changedRowsSql(diffed(r, oldRel[r]!), diffed(r, r), p.columns)}`);
          changed.push(
            spec.reach.keys(r, `(SELECT * FROM ${rows} WHERE _change > 0)`, inWorld(newHelpers)),
            spec.reach.keys(r, `(SELECT * FROM ${rows} WHERE _change < 0)`, inWorld(oldHelpers, (x) => oldRel[x])),
          );
        }
        // The keys of every row of the batches added or taken out.
        if (spec.source && moved.length) changed.push(`SELECT DISTINCT "${spec.source.key}" AS k FROM read_parquet(${lakeFilesSql(moved)}, union_by_name = true)`);
        // Typed like the model's key, also when no input changed.
        changed.push(`SELECT "${spec.key}" AS k FROM ${old} WHERE 1 = 0`);
        await ctx.engine.execute(`CREATE TEMP TABLE ${affected} AS SELECT DISTINCT k FROM (${changed.map((c) => `(${c})`).join(' UNION ALL ')}) c`);
        // What the filters read more than once about the affected values (the documents of their items).
        for (const [name, sqlOf] of Object.entries(spec.reach?.scoped ?? {})) {
          newHelpers[name] = temp('scoped', name);
          await ctx.engine.execute(`CREATE TEMP TABLE ${newHelpers[name]} AS ${sqlOf((c) => inKeysSql(c, affected), inWorld(newHelpers))}`);
        }
        const over: Record<string, string> = {};
        for (const [r, p] of Object.entries(spec.partitioned)) {
          const cols = p.columns.map((c) => `"${c}"`).join(', ');
          const rows = spec.reach ? `(${spec.reach.filter(r, (c) => inKeysSql(c, affected), inWorld(newHelpers))}) f` : `${r} WHERE ${inKeysSql(p.key, affected)}`;
          over[r] = temp('part', r);
          await ctx.engine.execute(`CREATE TEMP TABLE ${over[r]} AS SELECT ${cols} FROM ${rows}`);
        }
        if (spec.source) {
          // Every version (in every committed batch) of the affected keys: ranked among themselves as in
          // the whole computation.
          const slot = sourceSlot(spec.source.table);
          over[slot] = temp('part', spec.source.table);
          await ctx.engine.execute(`CREATE TEMP TABLE ${over[slot]} AS SELECT * FROM ${ctx.target.source(canonicalTable(spec.source.table))} s WHERE ${inKeysSql(spec.source.key, affected)}`);
        }
        for (const [g, cols] of Object.entries(spec.global)) {
          over[g] = temp('part', g);
          await ctx.engine.execute(`CREATE TEMP VIEW ${over[g]} AS SELECT ${cols.map((c) => `"${c}"`).join(', ')} FROM ${g}`);
        }
        const sql = partial(over);
        // The recomputed rows must come with exactly the cached result's columns and types.
        if (JSON.stringify(await describeColumns(ctx.engine, sql)) !== JSON.stringify(columns)) return 'its columns changed';
        const list = columns.map((c) => `"${c.name}"`).join(', ');
        // Only the affected values' rows of the recomputation: those are complete (every input row of
        // theirs was read); any other value's rows it gives are not, and are kept from the cache.
        // Kept past this call when the model is done: its cache entry is written from it (layer()).
        const fresh = `_fresh_${model}_${tag}`;
        await ctx.engine.execute(`CREATE TEMP TABLE ${fresh} AS SELECT ${list} FROM (${sql}) n WHERE ${inKeysSql(spec.key, affected)}`);
        await ctx.engine.execute(
          spec.wholeTable && wholeSql
            ? `CREATE OR REPLACE TEMP TABLE ${model} AS SELECT ${list} FROM (${wholeSql}) w`
            : `CREATE OR REPLACE TEMP TABLE ${model} AS SELECT ${list} FROM ${old} o WHERE NOT ${inKeysSql(spec.key, affected)} UNION ALL SELECT ${list} FROM ${fresh}`,
        );
        const counts = await ctx.engine.query(
          `SELECT (SELECT count(*) FROM ${affected}) AS affected, (SELECT count(*) FROM ${fresh}) AS computed, (SELECT count(*) FROM ${model}) AS total`,
        );
        const c = counts.rows[0]!;
        partialModels.push({ model, affected: Number(c.affected), kept: Number(c.total) - Number(c.computed), computed: Number(c.computed) });
        partialResults.set(model, { affected, from: fp, key: spec.key, fresh });
        keep = true;
        return true as const;
      } finally {
        for (const t of temps.reverse()) {
          await ctx.engine.execute(`DROP VIEW IF EXISTS ${t}`).catch(() => undefined);
          await ctx.engine.execute(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
        }
        // Kept while the build runs when the model was computed partially: models reading it use it.
        if (!keep) {
          await ctx.engine.execute(`DROP TABLE IF EXISTS ${affected}`);
          await ctx.engine.execute(`DROP TABLE IF EXISTS _fresh_${model}_${tag}`).catch(() => undefined);
        }
      }
    }
    return why;
  };

  return {
    compute,
    inputsRecord(model, spec) {
      const own = ctx.ownHashes()?.get(model);
      const fingerprints = ctx.fingerprints();
      if (!own || !fingerprints) return undefined;
      const files = spec.source && ctx.sources.files.get(spec.source.table);
      return {
        own,
        refs: Object.fromEntries([...Object.keys(spec.partitioned), ...Object.keys(spec.global)].sort().map((r) => [r, fingerprints.get(r)!])),
        ...(files ? { files: [...files].sort() } : {}),
      };
    },
    models: () => [...partialModels],
    layer(model) {
      const done = partialResults.get(model);
      return done?.fresh ? { from: done.from, affected: done.affected, fresh: done.fresh, key: done.key } : undefined;
    },
    async release(model) {
      const done = partialResults.get(model);
      if (!done?.fresh) return;
      await ctx.engine.execute(`DROP TABLE IF EXISTS ${done.fresh}`);
      delete done.fresh;
    },
  };
}
