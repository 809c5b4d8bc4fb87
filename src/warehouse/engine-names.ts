/** Names of the warehouse engines (the registry is ./engines.ts; this module stays light for the CLI's startup). */
export const ENGINE_NAMES = ['duckdb', 'athena', 'trino'] as const;
export type EngineName = (typeof ENGINE_NAMES)[number];
