import { loadConfig, type LoadedConfig } from '../config/config.js';
import type { CliIO } from './command.js';
import { resourcesFromConfig, useDuckDBResources } from '../warehouse/duckdb/resources.js';

/** The validated config and lake root from --config / ./creditlake.config.json and --lake. */
export function configFrom(values: { config?: string; lake?: string }, io: CliIO): LoadedConfig {
  const loaded = loadConfig({ path: values.config, lake: values.lake, cwd: io.cwd });
  // Every DuckDB instance the command opens from here on (ingest, build, query, serve, the small
  // feeds, compaction) stays within the configured threads and memory limit.
  useDuckDBResources(resourcesFromConfig(loaded.config.duckdb));
  return loaded;
}
