import { randomBytes } from 'node:crypto';
import { lakePaths } from '../../lake/layout.js';
import type { S3LakeStore } from '../../lake/s3-store.js';
import { toKey } from '../../lake/store.js';
import { quoteIdent, type TableDef } from '../../schema/index.js';
import type { AthenaEngine } from './athena-engine.js';

/** Athena writes at most 100 partitions per CTAS or INSERT INTO statement. */
export const MAX_PARTITIONS_PER_STATEMENT = 100;

export interface MartWriteOptions {
  engine: AthenaEngine;
  store: S3LakeStore;
  model: string;
  /** The mart's compiled Athena SELECT. */
  sql: string;
  /** Declared schema: the written Parquet gets exactly these names, order and types (the Glue table's). */
  declared: TableDef;
  /** Hive partition column (the last declared column); absent = one unpartitioned folder. */
  partitionedBy?: string;
  maxPartitionsPerStatement?: number;
  /** For tests: suffix of the temporary CTAS table name. */
  tempSuffix?: string;
  /**
   * The build this version belongs to: the mart is written to `marts/<model>/<buildId>/`, a folder no
   * reader looks at until the build publishes it (the mart's Glue table still names the previous one).
   */
  buildId: string;
}

export interface MartWriteResult {
  /** S3 URI of the new version's folder. */
  location: string;
  /** Lake key of that folder (what the build marker records). */
  dir: string;
  /** The temporary table over the new version: the build's data tests and later marts read it until publish drops it. */
  tempTable: string;
  statements: string[];
  partitions: number;
}

/** Lake folder of one version of a mart. */
export const martVersionDir = (model: string, buildId: string) => `${toKey(lakePaths.martDir(model))}/${buildId}`;

function literal(v: string): string {
  return `'${v.replace(/'/g, "''")}'`;
}

/** The SELECT with every declared column cast to its declared type, in declared order. */
export function typedSelect(sql: string, declared: TableDef): string {
  const cols = declared.columns.map((c) => `CAST(m.${quoteIdent(c.name)} AS ${c.sqlType}) AS ${quoteIdent(c.name)}`);
  return `SELECT ${cols.join(', ')} FROM (\n${sql}\n) AS m`;
}

/**
 * Writes a new version of a mart beside the published one: CTAS into `marts/<model>/<buildId>/` through
 * a temporary table, which the build keeps for its data tests and drops after publishing (dropping an
 * external table removes its Glue entry only). Nothing is deleted and the mart's own Glue table is not
 * touched, so readers keep the previous version, whole, until the build switches it. A failed write
 * drops its temporary table; the caller removes the version folder. Partitioned marts are written 100
 * partitions per statement: CTAS for the first chunk, INSERT INTO for the rest.
 */
export async function writeMart(opts: MartWriteOptions): Promise<MartWriteResult> {
  const { engine, store, model, declared } = opts;
  const max = opts.maxPartitionsPerStatement ?? MAX_PARTITIONS_PER_STATEMENT;
  const dir = martVersionDir(model, opts.buildId);
  const location = `${store.uriOf(dir)}/`;
  const temp = `${model}__ctas_${opts.tempSuffix ?? randomBytes(4).toString('hex')}`;
  const select = typedSelect(opts.sql, declared);
  const p = opts.partitionedBy;
  if (p && declared.columns[declared.columns.length - 1]?.name !== p) {
    throw new Error(`mart ${model}: partition column ${p} must be the last declared column`);
  }

  const statements: string[] = [];
  const run = async (sql: string) => {
    statements.push(sql);
    await engine.execute(sql);
  };
  const props = [`format = 'PARQUET'`, `write_compression = 'SNAPPY'`, `external_location = ${literal(location)}`];
  let partitions = 0;
  let written = false;
  try {
    if (!p) {
      await run(`CREATE TABLE ${temp} WITH (${props.join(', ')}) AS\n${select}`);
    } else {
      const values = await engine.query(
        `SELECT DISTINCT CAST(${quoteIdent(p)} AS VARCHAR) AS v FROM (\n${opts.sql}\n) AS m ORDER BY 1`,
      );
      const keys = values.rows.map((r) => r.v as string | null);
      partitions = keys.length;
      const nonNull = keys.filter((k): k is string => k !== null);
      const chunks: string[][] = [];
      for (let i = 0; i < nonNull.length; i += max) chunks.push(nonNull.slice(i, i + max));
      if (!chunks.length) chunks.push([]);
      const hasNull = keys.includes(null);
      for (let i = 0; i < chunks.length; i++) {
        const conds = [];
        if (chunks[i]!.length) conds.push(`CAST(m.${quoteIdent(p)} AS VARCHAR) IN (${chunks[i]!.map(literal).join(', ')})`);
        if (i === 0 && hasNull) conds.push(`m.${quoteIdent(p)} IS NULL`);
        const where = conds.length ? conds.join(' OR ') : 'FALSE';
        const body = `${select}\nWHERE ${where}`;
        if (i === 0) await run(`CREATE TABLE ${temp} WITH (${[...props, `partitioned_by = ARRAY['${p}']`].join(', ')}) AS\n${body}`);
        else await run(`INSERT INTO ${temp}\n${body}`);
      }
    }
    written = true;
  } finally {
    // A failed write leaves no temporary table behind (its partial Parquet goes with the version folder).
    if (!written) await run(`DROP TABLE IF EXISTS ${temp}`).catch(() => undefined);
  }
  return { location, dir, tempTable: temp, statements, partitions };
}
