import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The DuckDB resources one process may use: config `duckdb.threads` and `duckdb.memory_limit`, and
 * where DuckDB spills what does not fit. Every DuckDB instance Creditlake opens takes its settings
 * from `instanceConfig` (duckdb-engine.ts `createInstance`), so a memory limit set in the config
 * reaches ingest, build, query, serve and the small feeds alike, not only the paths that were handed
 * it explicitly. No DuckDB import here: the CLI sets these before it knows which engine it needs.
 */
export interface DuckDBResources {
  threads?: number;
  /** DuckDB size text (`2GB`, `512MiB`); DuckDB's own default (80 % of RAM) when absent. */
  memoryLimit?: string;
  /** Spill folder; default a folder of its own per instance under the OS temp folder. */
  tempDirectory?: string;
}

let processDefaults: DuckDBResources = {};

/**
 * Sets the resources of every DuckDB instance this process opens from now on (the CLI calls it with
 * the loaded config's `duckdb` section, and with `{}` at the start of each command so an in-process
 * caller running several commands never inherits an earlier one's limit).
 */
export function useDuckDBResources(r: DuckDBResources): void {
  processDefaults = { ...r };
}

export function duckDBResources(): Readonly<DuckDBResources> {
  return processDefaults;
}

/** The config section as resources (config.ts validates the size text). */
export function resourcesFromConfig(duckdb: { threads?: number; memory_limit?: string }): DuckDBResources {
  return { threads: duckdb.threads, memoryLimit: duckdb.memory_limit };
}

let spillDirs = 0;

/**
 * memory_limit bounds DuckDB's buffer manager, not the memory its allocator keeps after a task: by
 * default each thread flushes only past 128 MiB, and a bulk free only past 512 MiB, without a
 * background purge. At a 2 GB limit that was most of the 0.6 GB a 4M-invoice build ran over
 * (2,652 MiB peak RSS for `build --select +ar_aging,+dso_monthly`); flushing early costs no
 * measurable time. Only with a limit: without one the retained memory is DuckDB's own business.
 */
export const ALLOCATOR_UNDER_A_LIMIT: Readonly<Record<string, string>> = {
  allocator_flush_threshold: '16MiB',
  allocator_bulk_deallocation_flush_threshold: '64MiB',
  allocator_background_threads: 'true',
};

/**
 * DuckDB instance settings: what the caller asks for, else the process defaults, else ours.
 * `temp_directory` is always set and never shared between instances: DuckDB creates the folder when it
 * first spills and removes it when the instance closes, and two processes spilling into one folder
 * would race on its file names (the name carries the pid, so a killed run's folder goes in the next
 * ingest's sweep, lake/sweep.ts). A memory limit without a spill folder would turn every large sort or
 * join into an out-of-memory error instead of a slower run.
 */
export function instanceConfig(opts: DuckDBResources & { readOnly?: boolean } = {}): Record<string, string> {
  const threads = opts.threads ?? processDefaults.threads ?? Math.max(1, availableParallelism());
  const memoryLimit = opts.memoryLimit ?? processDefaults.memoryLimit;
  const temp = opts.tempDirectory ?? processDefaults.tempDirectory;
  const config: Record<string, string> = {
    threads: String(threads),
    temp_directory: temp ?? join(tmpdir(), `creditlake-spill-p${process.pid}-${++spillDirs}`),
    // Models and tests expect the same order for the same input.
    preserve_insertion_order: 'true',
  };
  if (memoryLimit) {
    config.memory_limit = memoryLimit;
    Object.assign(config, ALLOCATOR_UNDER_A_LIMIT);
  }
  if (opts.readOnly) config.access_mode = 'READ_ONLY';
  return config;
}

/** A DuckDB size text as config.ts accepts it (`2GB`, `512 MiB`, `1.5GB`), in bytes; undefined otherwise. */
export function sizeBytes(text: string | undefined): number | undefined {
  const m = text === undefined ? null : /^(\d+(?:\.\d+)?)\s*(K|M|G)(i?)B$/i.exec(text.trim());
  if (!m) return undefined;
  const power = { K: 1, M: 2, G: 3 }[m[2]!.toUpperCase() as 'K' | 'M' | 'G'];
  return Math.floor(Number(m[1]) * (m[3] ? 1024 : 1000) ** power);
}

/** The least DuckDB is left when the JavaScript heap takes most of the limit (it spills below it). */
const DUCKDB_FLOOR = 128 * 2 ** 20;

/**
 * DuckDB's share of the configured `duckdb.memory_limit` while this process's JavaScript heap holds
 * `heapBytes`, as DuckDB size text; undefined without a limit. The limit is the command's budget: a
 * command that keeps a large state in JavaScript (the credit-report feed's known reports and
 * identifiers) and then hands DuckDB a large write would otherwise hold the heap AND a full limit of
 * DuckDB buffers (2,270 MiB peak RSS at a 2 GB limit on a 4M-invoice ledger).
 */
export function duckdbShareOfLimit(heapBytes: number, limit = processDefaults.memoryLimit): string | undefined {
  const bytes = sizeBytes(limit);
  if (bytes === undefined) return undefined;
  const share = Math.max(Math.min(bytes, DUCKDB_FLOOR), bytes - heapBytes);
  return `${Math.floor(share / 2 ** 20)}MiB`;
}

/**
 * DuckDB's share of the configured limit for an instance opened now to do a command's heavy work
 * (the build): the limit less the process's resident memory at this moment (Node, the JavaScript
 * heap, the loaded code and libraries, DuckDB's own included), which stays resident beside DuckDB's
 * buffers for the whole command. A full build of 4M invoices at a 2 GB limit fills DuckDB's buffers
 * in step after step (2,300-2,390 MiB peak RSS in a dozen models and data tests, none alone) and
 * peaked at 2,426 MiB, 7 MiB over the limit + 0.5 GB; the process held about 130 MiB before DuckDB
 * did any work, which DuckDB's buffers now leave room for.
 */
export function duckdbShareBesideProcess(limit = processDefaults.memoryLimit, rss = process.memoryUsage.rss()): string | undefined {
  return duckdbShareOfLimit(rss, limit);
}
