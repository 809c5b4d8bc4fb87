import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { commitBatch, findManifest } from '../../lake/commit-batch.js';
import { batchId, isoDay, lakePaths } from '../../lake/layout.js';
import { LocalLakeStore } from '../../lake/local-store.js';
import type { BatchManifest } from '../../lake/manifest.js';
import { toKey, type LakeStore } from '../../lake/store.js';
import { fxRates } from '../../schema/index.js';
import { withDuckDB } from '../../warehouse/duckdb/duckdb-engine.js';
import type { ReasonCount } from '../canonical-csv/convert.js';
import { writeParquet, writeQuarantine } from '../credit-report/lake-io.js';
import type { Reject } from '../credit-report/records.js';
import { IngestUsageError, requireFiles, pct, priorVerdict, type FileIngestResult, type IngestResult } from '../ingest-files.js';
import { parseFxRates } from './parse.js';
import { topReasons } from '../reject-reasons.js';

/**
 * `creditlake ingest --feed fx-rates <file…>`: ECB reference rates (eurofxref-hist.csv) or canonical
 * rate_date,currency,rate CSV into fx_rates, with the ERP feed's batch protocol (a manifest per
 * content hash and reporting currency, so the same file is a no-op and bad values are quarantined
 * with file, line and currency).
 */
export interface FxIngestOptions {
  lakeRoot?: string;
  store?: LakeStore;
  files: readonly string[];
  reportingCurrency: string;
  maxRejectRate?: number;
  scratchDir?: string;
  now?: () => Date;
}

export async function ingestFxRates(opts: FxIngestOptions): Promise<IngestResult> {
  const store = opts.store ?? new LocalLakeStore(opts.lakeRoot ?? 'lake');
  const maxRejectRate = opts.maxRejectRate ?? 0;
  const now = opts.now ?? (() => new Date());
  await requireFiles(opts.files);
  const files: FileIngestResult[] = [];
  await withDuckDB({ threads: 1 }, async (db) => {
    for (const file of opts.files) {
      const bytes = await readFile(file);
      // The rows depend on the reporting currency too (crossed rates): it is part of the batch key.
      const sha256 = createHash('sha256').update(bytes).update(`\nfx-rates per ${opts.reportingCurrency}`).digest('hex');
      const base = { file, sha256, sizeBytes: bytes.length, warnings: [] as string[], topReasons: [] as ReasonCount[] };
      const zero = { rowsRead: 0, rowsLoaded: 0, rowsRejected: 0, rejectRate: 0 };
      const prior = await findManifest(store, fxRates.name, sha256);
      if (prior) {
        const v = priorVerdict(prior, maxRejectRate);
        files.push({ ...base, ...zero, status: 'skipped', failed: v.failed, rejectRate: v.rejectRate, batchId: prior.batch_id, ingestDate: prior.ingest_date,
          topReasons: v.failed ? prior.top_reasons : [], quarantineKey: v.failed ? prior.quarantine_key : undefined,
          message: `already ingested as batch ${prior.batch_id} on ${prior.ingest_date} (${prior.rows_loaded} loaded, ${prior.rows_rejected} rejected)${v.tail}` });
        continue;
      }
      const parsed = parseFxRates(bytes.toString('utf8'), opts.reportingCurrency);
      if ('error' in parsed) {
        files.push({ ...base, ...zero, status: 'error', failed: true, message: `${basename(file)}: ${parsed.error}` });
        continue;
      }
      const started = now();
      const id = batchId(started, sha256);
      const ingestDate = isoDay(started);
      const source = basename(file);
      const scratch = await mkdtemp(join(opts.scratchDir ?? tmpdir(), 'creditlake-fx-'));
      try {
        const dataFile = join(scratch, 'fx_rates.parquet');
        await writeParquet(db, fxRates, parsed.rows, scratch, dataFile);
        let quarantineFile: string | undefined;
        if (parsed.rejects.length) {
          quarantineFile = join(scratch, 'quarantine.parquet');
          await writeQuarantine(db, source, parsed.rejects, scratch, quarantineFile);
        }
        const reasons = topReasons(source, parsed.rejects);
        const manifest: BatchManifest = {
          format_version: 1, batch_id: id, table: fxRates.name, source_file: source, sha256, size_bytes: bytes.length,
          rows_read: parsed.read, rows_loaded: parsed.rows.length, rows_rejected: parsed.rejects.length, top_reasons: reasons,
          ingest_date: ingestDate, started_at: started.toISOString(), finished_at: now().toISOString(),
          data_key: toKey(lakePaths.rawBatchFile(fxRates.name, ingestDate, id)),
          quarantine_key: quarantineFile ? toKey(lakePaths.quarantineFile(fxRates.name, id)) : null,
        };
        await commitBatch(store, manifest, { dataFile, quarantineFile }, { now: now() });
        const rejectRate = parsed.read === 0 ? 0 : parsed.rejects.length / parsed.read;
        const failed = rejectRate > maxRejectRate;
        const dates = new Set(parsed.rows.map((r) => r.rate_date));
        const currencies = new Set(parsed.rows.map((r) => r.currency));
        files.push({
          ...base,
          status: 'loaded',
          failed,
          message:
            `${parsed.rows.length} rates loaded (${currencies.size} currencies, ${dates.size} dates${parsed.layout === 'ecb' ? ', ECB layout' : ''}), ${parsed.rejects.length} rejected` +
            (failed ? ` — reject rate ${pct(rejectRate)} exceeds the limit ${pct(maxRejectRate)}` : ''),
          batchId: id,
          ingestDate,
          rowsRead: parsed.read,
          rowsLoaded: parsed.rows.length,
          rowsRejected: parsed.rejects.length,
          rejectRate,
          topReasons: reasons,
          warnings: parsed.warnings,
          dataKey: manifest.data_key,
          quarantineKey: manifest.quarantine_key,
        });
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    }
  });
  const sum = (k: 'rowsRead' | 'rowsLoaded' | 'rowsRejected') => files.reduce((a, r) => a + r[k], 0);
  return { table: fxRates.name, lake: store.location, maxRejectRate, files, rowsRead: sum('rowsRead'), rowsLoaded: sum('rowsLoaded'), rowsRejected: sum('rowsRejected'), ok: files.every((f) => !f.failed) };
}
