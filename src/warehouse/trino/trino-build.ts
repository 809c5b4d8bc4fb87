import { mkdirSync, rmSync } from 'node:fs';
import { join, posix, resolve, sep } from 'node:path';
import type { Config } from '../../config/config.js';
import { openLakeStore } from '../../lake/open-store.js';
import { isS3Uri } from '../../lake/s3-uri.js';
import { lakePaths } from '../../lake/layout.js';
import { CANONICAL_TABLES, quoteIdent, type TableDef } from '../../schema/index.js';
import { MART_TABLES } from '../../schema/marts/index.js';
import { emptyRawRelation, sqlString, type CompileTarget } from '../compile/index.js';
import { committedRawSources } from '../lake-sources.js';
import { PROVENANCE_COLUMNS } from '../../lake/provenance.js';
import { commitTables } from '../athena/committed-batches.js';
import { inPool } from '../runner.js';
import { type BuildReport, type BuildSession } from '../build-session.js';
import { BuildError } from '../materialise.js';
import { trinoDialect } from './trino-dialect.js';
import { TrinoEngine } from './trino-engine.js';
import { TrinoQueryError } from './trino-client.js';
import { trinoConnection } from './trino-connection.js';

/**
 * A build on Trino over the lake, through the Hive connector:
 *   raw_<table>           external table over raw/<table>/ (partitioned by ingest_date); the staging
 *                         models read only the files the manifests name (`"$path" IN (…)`), so a batch
 *                         whose commit never finished stays invisible
 *   <model>__<gen>        this build's objects: staging/intermediate models as views or tables, marts
 *                         as Parquet tables under the schema location (in the lake)
 *   <model>, <table>      what readers query: views pointing at one generation; publishing repoints
 *                         all of them only after every mart is written, and the previous generation
 *                         is kept until the next build, so a failed build changes nothing readers see
 */
export async function openTrinoBuild(lakeRootIn: string, config: Config, resume?: { buildId: string }): Promise<BuildSession> {
  const s3 = isS3Uri(lakeRootIn);
  const lakeRoot = s3 ? lakeRootIn.replace(/\/+$/, '') : resolve(lakeRootIn);
  const location = trinoLakeLocation(lakeRoot, config);
  const engine = new TrinoEngine(trinoConnection(config));
  const q = (name: string) => `${quoteIdent(engine.catalog)}.${quoteIdent(engine.schema)}.${quoteIdent(name)}`;
  const gen = resume?.buildId ?? `g${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  if (!/^g[0-9a-z]{8,}$/.test(gen)) throw new BuildError(`not a Trino build id: ${gen}`);
  const genName = (model: string) => `${model}__${gen}`;

  await ensureSchema(engine, q, location);
  const { files: committed, compacted } = await committedRawSources(s3 ? await openLakeStore(lakeRoot) : lakeRoot);
  if (compacted.size) {
    throw new Error(`the Trino build does not read compacted batch files yet (${[...compacted.keys()].join(', ')} compacted by \`creditlake compact\`); build this lake with DuckDB`);
  }
  // Every canonical table gets its raw table, as the Glue catalog has on AWS, so the same statements
  // (Athena's included) resolve on both; a table nothing was ingested into reads as empty.
  // Independent per table (each a metastore lookup and a partition sync): a few at a time.
  await inPool(CANONICAL_TABLES, TRINO_CONCURRENCY, async (t) => {
    if (!s3 && !config.trino.lake_location) {
      for (const dir of [lakePaths.rawTableDir(t.name), ...commitTables(t.name).map((c) => c.prefix)]) mkdirSync(join(lakeRoot, dir), { recursive: true });
    }
    await ensureRawTable(engine, q, t, location);
    await ensureCommitTables(engine, q, t.name, location);
  });

  const previous = await publishedPointers(engine);
  const created: { name: string; kind: 'VIEW' | 'TABLE' }[] = [];
  const pointers = new Map<string, string>();

  const target: CompileTarget = {
    dialect: trinoDialect,
    source(table: TableDef) {
      const files = committed.get(table.name);
      if (!files?.length) return emptyRawRelation(table);
      const paths = files.map((k) => sqlString(`${location}/${k.split(sep).join(posix.sep)}`));
      const cols = table.columns.map((c) => `r.${quoteIdent(c.name)}`).join(', ');
      return `(SELECT ${cols}, r.ingest_date, "$path" AS filename FROM ${quoteIdent(`raw_${table.name}`)} r WHERE "$path" IN (${paths.join(', ')}))`;
    },
    ref: (model) => model,
  };

  const create = async (kind: 'VIEW' | 'TABLE', model: string, sql: string): Promise<string> => {
    const name = genName(model);
    created.push({ name, kind });
    if (kind === 'VIEW') await engine.execute(`CREATE VIEW ${q(name)} AS\n${sql}`);
    else await createTable(name, sql);
    return name;
  };
  /** CTAS into the lake; returns the rows written. */
  const createTable = async (name: string, sql: string): Promise<number | undefined> => {
    const at = sqlString(`${location}/${TRINO_DIR}/${name}`);
    try {
      return (await engine.client.query(`CREATE TABLE ${q(name)} WITH (format = 'PARQUET', external_location = ${at}) AS\n${sql}`)).updateCount;
    } catch (e) {
      // A CTAS with no rows writes no file, so its folder never comes to exist and Trino refuses to
      // register the table there; an empty table with the query's columns is the same result.
      if (!(e instanceof TrinoQueryError && /External table location does not exist/i.test(e.message))) throw e;
      const cols = (await engine.client.query(`SELECT * FROM (\n${sql}\n) AS d LIMIT 0`)).columns;
      await store.writeText(`${TRINO_DIR}/${name}/_creditlake`, '');
      await engine.execute(
        `CREATE TABLE ${q(name)} (${cols.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')}) WITH (format = 'PARQUET', external_location = ${at})`,
      );
      return 0;
    }
  };
  let published = false;
  // Tables are external (their Parquet is in the lake, under trino/<name>/): dropping one leaves its
  // files, so they are deleted here too.
  const store = await openLakeStore(lakeRoot);
  const dropObject = async (obj: { name: string; kind: 'VIEW' | 'TABLE' }) => {
    await engine.execute(`DROP ${obj.kind} IF EXISTS ${q(obj.name)}`).catch(() => undefined);
    if (obj.kind !== 'TABLE' || config.trino.lake_location) return;
    const prefix = `${TRINO_DIR}/${obj.name}`;
    for (const key of await store.list(prefix).catch(() => [] as string[])) await store.delete(key).catch(() => undefined);
    if (!s3) rmSync(join(lakeRoot, prefix), { recursive: true, force: true });
  };

  return {
    engineName: 'trino',
    lakeRoot,
    warehouse: `${engine.catalog}.${engine.schema}`,
    buildId: gen,
    engine,
    target,
    martMaterialisation: 'table',
    // Planning a mart's query is what costs on Trino: its columns are checked on the written table.
    schemaCheck: 'written',
    // Models and tests one at a time: run three at once on the single 2-core node, marts that plan to a
    // few hundred stages each overran the node's internal exchange queue ("Max requests queued per
    // destination 1024 exceeded") and failed the build; Trino parallelises inside each query anyway.
    concurrency: 1,
    onFailedTests: 'publish',
    marker: { store, key: TRINO_MARKER_KEY },
    resume(state) {
      for (const [model, relation] of Object.entries(state.relations)) {
        pointers.set(model, relation);
        const alias = model.startsWith('stg_') ? model.slice(4) : undefined;
        if (alias && CANONICAL_TABLES.some((t) => t.name === alias)) pointers.set(alias, relation);
      }
    },
    async createView(model, _sql, buildSql, alias) {
      const name = await create('VIEW', model, buildSql);
      pointers.set(model, name);
      if (alias) pointers.set(alias, name);
      return name;
    },
    async cache(model, _sql, buildSql, alias) {
      // On Trino a staging model the marts read is kept as a table: computed once, and readers of the
      // published view get the same rows without recomputing the deduplication.
      const name = await create('TABLE', model, buildSql);
      pointers.set(model, name);
      if (alias) pointers.set(alias, name);
      return name;
    },
    describe: (sql) => engine.describe(sql),
    async writeMart(model, sql) {
      const name = genName(model);
      created.push({ name, kind: 'TABLE' });
      const written = await createTable(name, sql);
      pointers.set(model, name);
      // CTAS reports the rows it wrote: no second scan to count them.
      return { relation: name, rows: written ?? Number((await engine.query(`SELECT count(*) AS n FROM ${q(name)}`)).rows[0]!.n) };
    },
    async keepMart(model) {
      const current = previous.get(model);
      if (!current) return undefined;
      pointers.set(model, current);
      return current;
    },
    async publish(_report: BuildReport) {
      // Each pointer view is its own metadata write: they go a few at a time, which shortens the moment
      // in which some names already show the new generation and others still the previous one.
      await inPool([...pointers], TRINO_CONCURRENCY * 2, ([name, relation]) => engine.execute(`CREATE OR REPLACE VIEW ${q(name)} AS SELECT * FROM ${q(relation)}`));
      published = true;
      const marts: Record<string, string> = {};
      for (const m of MART_TABLES) {
        const rel = pointers.get(m.name);
        if (rel) marts[m.name] = `${engine.catalog}.${engine.schema}.${rel}`;
      }
      return { marts };
    },
    async afterPublish() {
      // Keep this generation and the one readers may still be in the middle of; drop the rest.
      const keep = new Set([...pointers.values(), ...previous.values()]);
      const old = (await generationObjects(engine)).filter((o) => !keep.has(o.name) && !o.name.endsWith(`__${gen}`));
      await inPool(old, TRINO_CONCURRENCY, dropObject);
    },
    async discard() {
      if (published) return;
      // Everything of this generation, also what earlier steps of a resumed build created.
      const ours = (await generationObjects(engine).catch(() => created)).filter((o) => o.name.endsWith(`__${gen}`));
      // Views first (they read the tables), each kind a few at a time.
      await inPool(ours.filter((o) => o.kind === 'VIEW'), TRINO_CONCURRENCY, dropObject);
      await inPool(ours.filter((o) => o.kind === 'TABLE'), TRINO_CONCURRENCY, dropObject);
    },
    usage: () => ({ queries: engine.client.usage.queries, cpu_ms: engine.client.usage.cpuMs, processed_bytes: engine.client.usage.processedBytes }),
    close: () => engine.close(),
  };
}

/** The lake folder as the Trino catalog sees it: config `trino.lake_location`, else `local://` + the folder. */
export function trinoLakeLocation(lakeRoot: string, config: Config): string {
  if (config.trino.lake_location) return config.trino.lake_location.replace(/\/+$/, '');
  if (isS3Uri(lakeRoot)) return lakeRoot.replace(/\/+$/, '');
  return `local://${resolve(lakeRoot).split(sep).join(posix.sep)}`;
}

/**
 * The schema (created if absent) holds one lake's warehouse: a marker view names the lake, and a
 * schema that already serves another lake is refused rather than mixing two lakes' marts.
 */
async function ensureSchema(engine: TrinoEngine, q: (n: string) => string, location: string): Promise<void> {
  await engine.execute(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(engine.catalog)}.${quoteIdent(engine.schema)}`);
  const marker = await engine
    .query(`SELECT lake_location FROM ${q(LAKE_MARKER)}`)
    .then((r) => String(r.rows[0]?.lake_location ?? ''))
    .catch(() => undefined);
  if (marker === undefined) {
    await engine.execute(`CREATE OR REPLACE VIEW ${q(LAKE_MARKER)} AS SELECT ${sqlString(location)} AS lake_location`);
  } else if (marker !== location) {
    throw new BuildError(
      `Trino schema ${engine.catalog}.${engine.schema} holds the warehouse of another lake (${marker}); ` +
        `set "trino": {"schema": "<another name>"} in the config for this lake (${location})`,
    );
  }
}

const LAKE_MARKER = 'creditlake_lake';

/** `raw_<table>` over raw/<table>/, recreated when its columns differ from the canonical schema. */
async function ensureRawTable(engine: TrinoEngine, q: (n: string) => string, table: TableDef, location: string): Promise<void> {
  const name = `raw_${table.name}`;
  // The same columns as the stack's Glue raw tables (infra/catalog-tables.ts), so Athena-compiled SQL
  // validates against them too; the provenance columns read NULL in files never compacted.
  const cols = [
    ...[...table.columns, ...PROVENANCE_COLUMNS].map((c) => ({ name: c.name, type: c.sqlType as string })),
    { name: 'ingest_date', type: 'DATE' },
  ];
  const existing = await engine.query(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $schema AND table_name = $table ORDER BY ordinal_position`,
    { schema: engine.schema, table: name },
  );
  const have = existing.rows.map((r) => `${r.column_name}`).join(',');
  if (have !== cols.map((c) => c.name).join(',')) {
    if (existing.rows.length) await engine.execute(`DROP TABLE ${q(name)}`);
    await engine.execute(
      `CREATE TABLE ${q(name)} (${cols.map((c) => `${quoteIdent(c.name)} ${c.type}`).join(', ')}) WITH (` +
        `external_location = ${sqlString(`${location}/${lakePaths.rawTableDir(table.name).split(sep).join(posix.sep)}`)}, ` +
        `format = 'PARQUET', partitioned_by = ARRAY['ingest_date'])`,
    );
  }
  // New ingest days are new partitions: register them (and forget removed ones).
  await engine.execute(`CALL system.sync_partition_metadata(${sqlString(engine.schema)}, ${sqlString(name)}, 'FULL')`);
}

/**
 * The commit records of a table as text tables (`manifests_<table>`, `retired_<table>`), as the stack's
 * Glue catalog has them: the Athena build's statements read only committed batches through them.
 */
async function ensureCommitTables(engine: TrinoEngine, q: (n: string) => string, table: string, location: string): Promise<void> {
  for (const t of commitTables(table)) {
    await engine.execute(
      `CREATE TABLE IF NOT EXISTS ${q(t.name)} (line VARCHAR) WITH (external_location = ${sqlString(`${location}/${t.prefix.replace(/\/$/, '')}`)}, format = 'TEXTFILE')`,
    );
  }
}

/** The Trino build's marker in the lake (beside its tables, apart from the embedded build's marts/_build.json). */
export const TRINO_MARKER_KEY = 'trino/_build.json';

/** Metadata statements a Trino build runs at once (raw-table setup, pointer-view switches, drops). */
export const TRINO_CONCURRENCY = 3;

/** Lake folder of the Trino build's tables. */
export const TRINO_DIR = 'trino';

const GEN_SUFFIX = /__g[0-9a-z]{8,}$/;

/** Published views and the generation object each points at (`SELECT * FROM <model>__g…`). */
async function publishedPointers(engine: TrinoEngine): Promise<Map<string, string>> {
  const res = await engine.query(
    `SELECT table_name, view_definition FROM information_schema.views WHERE table_schema = $schema`,
    { schema: engine.schema },
  );
  const out = new Map<string, string>();
  for (const r of res.rows) {
    const m = /FROM\s+(?:"[^"]+"\.)*"([^"]+__g[0-9a-z]{8,})"\s*$/i.exec(String(r.view_definition ?? '').trim());
    if (m && !GEN_SUFFIX.test(String(r.table_name))) out.set(String(r.table_name), m[1]!);
  }
  return out;
}

async function generationObjects(engine: TrinoEngine): Promise<{ name: string; kind: 'VIEW' | 'TABLE' }[]> {
  const res = await engine.query(
    `SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = $schema`,
    { schema: engine.schema },
  );
  return res.rows
    .filter((r) => GEN_SUFFIX.test(String(r.table_name)))
    .map((r) => ({ name: String(r.table_name), kind: r.table_type === 'VIEW' ? 'VIEW' : 'TABLE' }));
}
