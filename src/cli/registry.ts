import type { Command } from './command.js';

export interface CommandEntry {
  name: string;
  /** One line for `creditlake --help`. */
  summary: string;
  /** The command's module, loaded only when it runs: `--help` and a query don't pay for ingest's parsers or the AWS SDK. */
  load(): Promise<Command>;
}

/**
 * Every CLI command, in the order `creditlake --help` lists them. A command lives in its own
 * module under ./commands and is added here with one entry.
 */
export const commands: CommandEntry[] = [
  {
    name: 'generate',
    summary: 'Generate a realistic synthetic ledger as canonical CSV files',
    load: async () => (await import('./commands/generate.js')).generateCommand,
  },
  {
    name: 'ingest',
    summary: 'Validate canonical CSV files and load them into the lake as Parquet batches',
    load: async () => (await import('./commands/ingest.js')).ingestCommand,
  },
  {
    name: 'mappings',
    summary: 'List the mapping presets for ERP exports (Exact Online, AFAS, Twinfield, SAP, ERPNext, …)',
    load: async () => (await import('./commands/mappings.js')).mappingsCommand,
  },
  {
    name: 'watch',
    summary: 'Watch a landing folder: ingest each new file once, file it in done/ or failed/, build after a quiet window',
    load: async () => (await import('./commands/watch.js')).watchCommand,
  },
  {
    name: 'batches',
    summary: 'List the lake\'s batches; retire a wrong one (reversibly) or restore it',
    load: async () => (await import('./commands/batches.js')).batchesCommand,
  },
  {
    name: 'compact',
    summary: 'Rewrite each table\'s many small batch files into one (same rows, same provenance, same marts)',
    load: async () => (await import('./commands/compact.js')).compactCommand,
  },
  {
    name: 'rejects',
    summary: 'Show quarantined rows with their reasons (per table or batch)',
    load: async () => (await import('./commands/rejects.js')).rejectsCommand,
  },
  {
    name: 'build',
    summary: 'Run the SQL models and data tests; refresh lake/marts and lake/warehouse.duckdb',
    load: async () => (await import('./commands/build.js')).buildCommand,
  },
  {
    name: 'query',
    summary: 'Run SQL against the warehouse (table, csv or json output)',
    load: async () => (await import('./commands/query.js')).queryCommand,
  },
  {
    name: 'tables',
    summary: 'List tables and marts with their columns and descriptions',
    load: async () => (await import('./commands/tables.js')).tablesCommand,
  },
  {
    name: 'docs',
    summary: 'Write the warehouse docs site: models, columns, SQL, lineage, data tests, metrics',
    load: async () => (await import('./commands/docs.js')).docsCommand,
  },
  {
    name: 'demo',
    summary: 'Generate a ledger, ingest it, build the warehouse and print headline KPIs',
    load: async () => (await import('./commands/demo.js')).demoCommand,
  },
  {
    name: 'serve',
    summary: 'Serve the dashboards on 127.0.0.1 from the embedded warehouse',
    load: async () => (await import('./commands/serve.js')).serveCommand,
  },
];
