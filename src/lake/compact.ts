import { createHash } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { quoteIdent as q, type TableDef } from '../schema/index.js';
import { withDuckDB } from '../warehouse/duckdb/duckdb-engine.js';
import { commitBatch, listManifests } from './commit-batch.js';
import { batchId, isoDay, lakePaths } from './layout.js';
import type { BatchManifest } from './manifest.js';
import { retiredBatches } from './retire.js';
import { toKey, type LakeStore } from './store.js';
import { scratchPrefix } from './sweep.js';
import { PROVENANCE } from './provenance.js';

/**
 * Compaction: many daily drops leave many small Parquet files per table, and every build opens each
 * one. `creditlake compact` rewrites a table's committed batches into one file, committed as a new
 * batch whose manifest lists the batches it holds (`compacted_sha256`). That manifest is the one
 * commit record: written last, by one atomic put, it both makes the new file count and takes the
 * files it replaces out of every reader (committedDataKeys); killed before it, nothing changed.
 *
 * Every row keeps where it came from, in three provenance columns, so nothing downstream can tell a
 * compacted lake from the original:
 *   - `_source_ingest_date` and `_source_file` replace the `ingest_date` and `filename` a reader
 *     derives from the file path: staging's "latest ingested version wins" orders exactly as before,
 *     and the marts come out byte-identical;
 *   - `_source_sha256` names the original batch: retiring it (or restoring it) still works, as a row
 *     filter on the compacted file.
 * The original manifests and quarantine files stay, so re-ingesting a file is still recognised and
 * rejects are still listed per batch. The original data files are left in place too (a warehouse built
 * before the compaction still reads them); they are no longer read by any build.
 */
export { PROVENANCE };

/** The batches a compaction manifest replaces. */
export const compactedSources = (m: BatchManifest): readonly string[] => m.compacted_sha256 ?? [];

/** Content hashes of every batch some compaction of this table holds (no reader reads their files). */
export function compactedAway(manifests: readonly BatchManifest[]): Set<string> {
  return new Set(manifests.flatMap(compactedSources));
}

export interface CompactOptions {
  store: LakeStore;
  table: TableDef;
  now?: Date;
  scratchDir?: string;
  /** Fewer live files than this: nothing to do (default 2). */
  minFiles?: number;
  /**
   * Called with the new file's key before anything is written to the lake (on AWS: its ingest day is
   * registered in Glue first, so the commit never hides the replaced files from Athena before the new
   * one is visible). A throw leaves the lake unchanged.
   */
  beforeCommit?: (dataKey: string) => Promise<void>;
}

export interface CompactResult {
  table: string;
  /** Live data files before and after. */
  filesBefore: number;
  filesAfter: number;
  rows: number;
  /** The new batch, when one was written. */
  batchId?: string;
  dataKey?: string;
  /** Original batches the new file holds (through earlier compactions too). */
  batches: number;
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;

export async function compactTable(opts: CompactOptions): Promise<CompactResult> {
  const { store, table } = opts;
  const now = opts.now ?? new Date();
  const manifests = await listManifests(store, table.name);
  const away = compactedAway(manifests);
  // Retired batches are compacted too (their rows stay filtered out by the retire record, and come
  // back on restore); the live files are the ones a reader would open.
  const live = manifests.filter((m) => !away.has(m.sha256)).sort((a, b) => a.data_key.localeCompare(b.data_key));
  const retired = await retiredBatches(store, table.name);
  const base: CompactResult = { table: table.name, filesBefore: live.length, filesAfter: live.length, rows: 0, batches: 0 };
  if (live.length < (opts.minFiles ?? 2)) return base;
  for (const m of live) {
    if (compactedSources(m).length && retired.has(m.sha256)) {
      throw new Error(`${table.name}: compaction batch ${m.batch_id} is retired; restore it before compacting (retire the batches it holds instead)`);
    }
  }

  const sources = live.map((m) => m.sha256).sort();
  const sha256 = createHash('sha256').update(`creditlake compaction\n${table.name}\n${sources.join('\n')}\n`).digest('hex');
  const id = batchId(now, sha256);
  const ingestDate = isoDay(now);
  const dataKey = toKey(lakePaths.rawBatchFile(table.name, ingestDate, id));
  const scratch = await mkdtemp(join(opts.scratchDir ?? tmpdir(), scratchPrefix('compact')));
  try {
    const local = async (key: string, i: number) => {
      const s = store as LakeStore & { pathOf?: (k: string) => string };
      if (s.pathOf) return s.pathOf(key);
      const p = join(scratch, `${i}.parquet`);
      await store.getFile!(key, p);
      return p;
    };
    const typed = table.columns.map((c) => `CAST(NULL AS ${c.sqlType}) AS ${q(c.name)}`).join(', ');
    const empty = `SELECT ${typed}, CAST(NULL AS VARCHAR) AS ${PROVENANCE.sha256}, CAST(NULL AS VARCHAR) AS ${PROVENANCE.file}, CAST(NULL AS DATE) AS ${PROVENANCE.ingestDate}, CAST(NULL AS BIGINT) AS file_row_number WHERE 1 = 0`;
    const parts: string[] = [];
    for (const [i, m] of live.entries()) {
      const path = await local(m.data_key, i);
      // A file from an earlier compaction carries its rows' provenance; an original batch gets its own.
      parts.push(
        compactedSources(m).length
          ? `SELECT * FROM read_parquet(${lit(path)}, file_row_number = true)`
          : `SELECT *, ${lit(m.sha256)} AS ${PROVENANCE.sha256}, ${lit(m.data_key)} AS ${PROVENANCE.file}, DATE ${lit(m.ingest_date)} AS ${PROVENANCE.ingestDate} ` +
              `FROM read_parquet(${lit(path)}, file_row_number = true)`,
      );
    }
    const out = join(scratch, 'compacted.parquet');
    let rows = 0;
    const originals = new Set<string>();
    await withDuckDB({ threads: 1 }, async (db) => {
      await db.execute(`CREATE TEMP TABLE compacted AS SELECT * FROM (${[empty, ...parts].join('\nUNION ALL BY NAME\n')})`);
      const cols = [...table.columns.map((c) => `CAST(${q(c.name)} AS ${c.sqlType}) AS ${q(c.name)}`), PROVENANCE.sha256, PROVENANCE.file, PROVENANCE.ingestDate];
      // Grouped by original batch in file order, each batch's rows in their own order: a rewrite of
      // the same batches is the same file.
      await db.execute(`COPY (SELECT ${cols.join(', ')} FROM compacted ORDER BY ${PROVENANCE.file}, file_row_number) TO ${lit(out)} (FORMAT parquet, COMPRESSION zstd)`);
      const r = await db.query(`SELECT count(*)::BIGINT AS n, list(DISTINCT ${PROVENANCE.sha256}) AS shas FROM compacted`);
      rows = Number(r.rows[0]!.n);
      for (const s of (r.rows[0]!.shas as string[] | null) ?? []) originals.add(s);
    });
    const manifest: BatchManifest = {
      format_version: 1,
      batch_id: id,
      table: table.name,
      source_file: `compaction of ${live.length} files (${originals.size} batches)`,
      sha256,
      size_bytes: (await stat(out)).size,
      rows_read: rows,
      rows_loaded: rows,
      rows_rejected: 0,
      top_reasons: [],
      ingest_date: ingestDate,
      started_at: now.toISOString(),
      finished_at: new Date().toISOString(),
      data_key: dataKey,
      quarantine_key: null,
      compacted_sha256: sources,
    };
    await opts.beforeCommit?.(dataKey);
    const committed = await commitBatch(store, manifest, { dataFile: out }, { now });
    return { ...base, filesAfter: 1, rows: committed.manifest.rows_loaded, batchId: committed.manifest.batch_id, dataKey: committed.manifest.data_key, batches: originals.size };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
