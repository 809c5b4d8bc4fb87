import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { listManifests } from '../lake/commit-batch.js';
import { retiredBatches } from '../lake/retire.js';
import { scratchPrefix } from '../lake/sweep.js';
import type { LakeStore } from '../lake/store.js';
import { quoteIdent as q, type TableDef } from '../schema/index.js';
import type { DuckDBEngine } from '../warehouse/duckdb/duckdb-engine.js';

/**
 * What a new batch is checked against: the table's committed (not retired) batches. Staging keeps
 * the latest ingested version of each key, so a key that arrives again silently replaces what was
 * there; ingest says how many earlier versions a file replaces (with examples of what changed), and
 * refuses a document number that an earlier batch holds as the other document type (an invoice
 * and a credit note are two documents, never two versions of one).
 */

export interface PriorBatch {
  /** Local Parquet file of the batch's good rows (read in place, or a copy of a remote object). */
  path: string;
  batchId: string;
  sourceFile: string;
}

export interface VersionReport {
  /** Keys of this batch that were in an earlier batch with different content: those versions are replaced. */
  replaced: number;
  /** Keys of this batch repeating an earlier batch's row unchanged. */
  unchanged: number;
  /** A few replaced keys with the columns that changed and the batch they replace. */
  examples: string[];
}

const EXAMPLES = 3;

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

/** A table whose single key is a document number carried by two document types (invoices). */
export function typedDocumentKey(table: TableDef): boolean {
  return table.key.length === 1 && table.key[0] === 'document_id' && table.columns.some((c) => c.name === 'document_type');
}

/**
 * Committed batches of `table`, oldest first, as local files: a local lake is read in place, a remote
 * one (S3) is copied into `scratchDir` (DuckDB reads no S3 without httpfs). `excludeSha256`: the batch
 * key of the file being ingested (a retry of a crashed commit is not its own earlier version).
 */
export async function priorBatches(store: LakeStore, table: string, scratchDir: string, excludeSha256?: string): Promise<PriorBatch[]> {
  const retired = await retiredBatches(store, table);
  const manifests = (await listManifests(store, table))
    // A compaction's rows are its batches' (whose manifests and files stay): read those, with their own ids.
    .filter((m) => m.sha256 !== excludeSha256 && !retired.has(m.sha256) && !m.compacted_sha256?.length)
    .sort((a, b) => (a.data_key < b.data_key ? -1 : a.data_key > b.data_key ? 1 : 0));
  if (manifests.length === 0) return [];
  const local = store as LakeStore & { pathOf?: (k: string) => string };
  let copies: string | undefined;
  const out: PriorBatch[] = [];
  for (const [i, m] of manifests.entries()) {
    let path: string;
    if (local.pathOf) path = local.pathOf(m.data_key);
    else if (store.getFile) {
      copies ??= await mkdtemp(join(scratchDir, scratchPrefix('history')));
      path = join(copies, `${i}.parquet`);
      await store.getFile(m.data_key, path);
    } else return [];
    out.push({ path, batchId: m.batch_id, sourceFile: m.source_file });
  }
  return out;
}

/**
 * `prior_docs`: for every document number of an earlier batch, its latest version's document type
 * and where it came from; only the numbers `keysFrom` (a relation with document_id) holds.
 */
export function priorDocsSql(prior: readonly PriorBatch[], keysFrom: string): string {
  return `CREATE OR REPLACE TEMP TABLE prior_docs AS
    SELECT document_id, document_type, b.batch_id, b.source_file
    FROM read_parquet([${prior.map((p) => lit(p.path)).join(', ')}], filename = true) r
    JOIN (VALUES ${prior.map((p) => `(${lit(p.path)}, ${lit(p.batchId)}, ${lit(p.sourceFile)})`).join(', ')}) b(path, batch_id, source_file)
      ON r.filename = b.path
    WHERE document_id IN (SELECT document_id FROM ${keysFrom})
    QUALIFY row_number() OVER (PARTITION BY document_id ORDER BY r.filename DESC) = 1`;
}

/**
 * Earlier versions the rows of `dataFile` (a new batch's good rows, canonical Parquet) replace, in the
 * order staging applies them (the latest batch file wins).
 */
export async function versionReport(engine: DuckDBEngine, table: TableDef, dataFile: string, prior: readonly PriorBatch[]): Promise<VersionReport> {
  if (prior.length === 0) return { replaced: 0, unchanged: 0, examples: [] };
  const keys = table.key.map(q);
  const keyOn = keys.map((k) => `n.${k} IS NOT DISTINCT FROM p.${k}`).join(' AND ');
  const others = table.columns.filter((c) => !table.key.includes(c.name));
  const changed = `concat_ws(', ', ${others.map((c) => `CASE WHEN n.${q(c.name)} IS DISTINCT FROM p.${q(c.name)} THEN ${lit(c.name)} END`).join(', ')})`;
  const shownKey = table.key.map((k) => `coalesce(CAST(n.${q(k)} AS VARCHAR), '')`).join(` || ' / ' || `);
  const paths = `[${prior.map((p) => lit(p.path)).join(', ')}]`;
  const batches = `(VALUES ${prior.map((p) => `(${lit(p.path)}, ${lit(p.batchId)}, ${lit(p.sourceFile)})`).join(', ')}) b(path, batch_id, source_file)`;
  const on = (a: string, b: string) => keys.map((k) => `${a}.${k} = ${b}.${k}`).join(' AND ');
  await engine.execute(`CREATE OR REPLACE TEMP TABLE version_diff AS
    WITH n AS (SELECT * FROM read_parquet(${lit(dataFile)})),
    p AS (
      SELECT r.*, b.batch_id, b.source_file
      FROM (SELECT * FROM read_parquet(${paths}, filename = true) r SEMI JOIN n ON ${on('r', 'n')}) r
      JOIN ${batches} ON r.filename = b.path
      QUALIFY row_number() OVER (PARTITION BY ${keys.map((k) => `r.${k}`).join(', ')} ORDER BY r.filename DESC) = 1
    )
    SELECT ${shownKey} AS shown, ${changed} AS changed, p.source_file, p.batch_id FROM n JOIN p ON ${keyOn}`);
  try {
    const counts = (await engine.query(`SELECT count(*) FILTER (WHERE changed <> '') AS replaced, count(*) FILTER (WHERE changed = '') AS unchanged FROM version_diff`)).rows[0] ?? {};
    const examples = (
      await engine.query(`SELECT shown || ' (' || changed || ' changed; was in ' || source_file || ', batch ' || batch_id || ')' AS e
        FROM version_diff WHERE changed <> '' ORDER BY shown LIMIT ${EXAMPLES}`)
    ).rows.map((r) => String(r.e));
    return { replaced: Number(counts.replaced ?? 0), unchanged: Number(counts.unchanged ?? 0), examples };
  } finally {
    await engine.execute('DROP TABLE IF EXISTS version_diff');
  }
}

/** The sentence ingest prints for a batch that replaces earlier versions. */
export function describeVersions(v: VersionReport | undefined, table?: string): string | undefined {
  if (!v || v.replaced === 0) return undefined;
  const what = `${v.replaced} earlier version${v.replaced === 1 ? '' : 's'} of ${table ? `${table} ` : ''}rows replaced`;
  return `${what} (the new rows win in the warehouse), e.g. ${v.examples.join('; ')}`;
}
