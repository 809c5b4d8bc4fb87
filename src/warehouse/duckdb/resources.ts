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
