import type { Dialect } from '../dialect/dialect.js';
import { duckdbDialect } from '../duckdb/duckdb-dialect.js';
import { athenaDialect } from '../athena/athena-dialect.js';
import { committedPathsSql, retiredHashesSql } from '../athena/committed-batches.js';
import { quoteIdent, type TableDef } from '../../schema/index.js';
import { lakePaths } from '../../lake/layout.js';
import { PROVENANCE } from '../../lake/provenance.js';
import { lakeFileSql, lakeFilesSql, lakeKeySql } from '../duckdb/lake-path.js';

/**
 * Where a compiled model reads from. Pure data: the build runner decides (by looking at the lake)
 * which raw tables have files, and passes that in, so compiling never touches the disk.
 */
export interface CompileTarget {
  readonly dialect: Dialect;
  /** Relation with a canonical table's raw rows: canonical columns plus `ingest_date` and `filename`. */
  source(table: TableDef): string;
  /** Relation name of a model (a view, or a mart's table). */
  ref(model: string): string;
}

export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A typed relation with the raw table's columns and no rows, for tables nothing was ingested into yet. */
export function emptyRawRelation(table: TableDef, provenance = false): string {
  const cols = table.columns.map((c) => `CAST(NULL AS ${c.sqlType}) AS ${quoteIdent(c.name)}`);
  if (provenance) cols.push(`CAST(NULL AS VARCHAR) AS ${PROVENANCE.sha256}`, `CAST(NULL AS VARCHAR) AS ${PROVENANCE.file}`, `CAST(NULL AS DATE) AS ${PROVENANCE.ingestDate}`);
  return `(SELECT ${cols.join(', ')}, CAST(NULL AS DATE) AS ingest_date, CAST(NULL AS VARCHAR) AS filename WHERE 1 = 0)`;
}

export interface DuckDBTargetOptions {
  /** Canonical tables with at least one committed raw file; the others read as empty relations. */
  tablesWithFiles: ReadonlySet<string>;
  /**
   * Lake-relative data files of the committed batches per table (from the manifests). A table listed
   * here reads exactly these files, so a batch whose manifest is not written yet stays invisible;
   * a table with files but no manifests (Parquet placed by hand) is read by glob.
   */
  committedFiles?: ReadonlyMap<string, readonly string[]>;
  /**
   * Tables read partly from compacted files (src/lake/compact.ts), with the retired batches whose rows
   * such a file still holds: their rows read with the ingest day and file of their original batch.
   */
  compacted?: ReadonlyMap<string, readonly string[]>;
}

/**
 * A raw relation whose rows may come from compacted files: each row's original ingest day and batch
 * file (the provenance columns) stand in for the compacted file's, so staging's "latest version wins"
 * orders as before; rows of retired original batches are filtered out. `fileOf` turns a lake key into
 * what the engine's `filename` holds for an uncompacted file.
 */
export function withProvenance(relation: string, retired: readonly string[], fileOf: (keyExpr: string) => string): string {
  const { sha256, file, ingestDate } = PROVENANCE;
  const keep = retired.length ? ` WHERE ${sha256} IS NULL OR ${sha256} NOT IN (${retired.map(sqlString).join(', ')})` : '';
  return (
    `(SELECT * EXCLUDE (${sha256}, ${file}, ${ingestDate}) REPLACE (` +
    `COALESCE(${ingestDate}, ingest_date) AS ingest_date, COALESCE(${fileOf(file)}, filename) AS filename) ` +
    `FROM ${relation} p${keep})`
  );
}

/**
 * DuckDB over the lake folder. Paths are lake-relative (see lake-path.ts): the connection that runs
 * the SQL says where the lake is, so a copied or moved lake keeps working.
 */
export function duckdbTarget(opts: DuckDBTargetOptions): CompileTarget {
  return {
    dialect: duckdbDialect,
    source(table) {
      if (!opts.tablesWithFiles.has(table.name)) return emptyRawRelation(table);
      const committed = opts.committedFiles?.get(table.name);
      // Manifests but no readable batch (every one retired): nothing to read.
      if (committed && !committed.length) return emptyRawRelation(table);
      const files = committed ? lakeFilesSql(committed) : lakeFileSql(lakePaths.rawGlob(table.name));
      const retired = opts.compacted?.get(table.name);
      // Batches written before an optional column was added to the schema lack it: BY NAME against
      // the typed empty relation gives every canonical column (NULL where a file has none), so an
      // upgraded Creditlake still builds a lake ingested by an older one.
      const relation =
        `(SELECT * FROM ${emptyRawRelation(table, Boolean(retired))} UNION ALL BY NAME ` +
        `SELECT * FROM read_parquet(${files}, hive_partitioning = true, hive_types = {'ingest_date': DATE}, ` +
        `union_by_name = true, filename = true))`;
      return retired ? withProvenance(relation, retired, lakeKeySql) : relation;
    },
    ref: (model) => model,
  };
}

export interface AthenaTargetOptions {
  /** Glue table of a canonical table's raw partitions; default `raw_<table>`. */
  rawTable?: (table: string) => string;
  /**
   * The lake root (`s3://bucket/prefix/`): raw files are read only when a manifest commits them and no
   * retire record takes them out (see athena/committed-batches.ts). Every build passes it; without it
   * (statement checks that compile models without a lake) every file under raw/ is read.
   */
  lakeUri?: string;
}

export function athenaTarget(opts: AthenaTargetOptions = {}): CompileTarget {
  const rawTable = opts.rawTable ?? ((t: string) => `raw_${t}`);
  return {
    dialect: athenaDialect,
    // "$path" is Athena's hidden column with the object key: the batch file name orders versions. A
    // compacted file's rows name their original batch file and day instead (src/lake/compact.ts), and
    // rows of a retired original batch are filtered out of it.
    source: (table) => {
      const { sha256, file, ingestDate } = PROVENANCE;
      const root = opts.lakeUri && (opts.lakeUri.endsWith('/') ? opts.lakeUri : `${opts.lakeUri}/`);
      const cols = table.columns.map((c) => `raw.${quoteIdent(c.name)}`).join(', ');
      const filename = root ? `COALESCE(concat(${sqlString(root)}, raw.${file}), "$path")` : '"$path"';
      const where = opts.lakeUri
        ? ` WHERE "$path" IN (${committedPathsSql(table.name, opts.lakeUri)}) AND (raw.${sha256} IS NULL OR raw.${sha256} NOT IN (${retiredHashesSql(table.name)}))`
        : '';
      return `(SELECT ${cols}, COALESCE(raw.${ingestDate}, raw.ingest_date) AS ingest_date, ${filename} AS filename FROM ${rawTable(table.name)} raw${where})`;
    },
    ref: (model) => model,
  };
}
