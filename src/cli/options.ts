import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CONFIG_FILE, DEFAULT_LAKE } from '../config/config-error.js';
import type { CliIO } from './command.js';

/** Options every command understands. */
export const globalOptions = {
  config: { type: 'string' },
  lake: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const satisfies ParseArgsConfig['options'];

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, allowPositionals = false) {
  return parseArgs({ args: argv, options: { ...globalOptions, ...options }, allowPositionals, strict: true });
}

/**
 * The lake root alone, for commands that need nothing else from the config (query): without a
 * config file it is --lake or ./lake, and the config schema (zod) is not even loaded, which keeps a
 * query close to the cost of DuckDB itself. With a config file, the file is read and validated.
 */
export async function lakeRootFrom(values: { config?: string; lake?: string }, io: CliIO): Promise<string> {
  if (values.config === undefined && !existsSync(resolve(io.cwd, CONFIG_FILE))) {
    const lake = values.lake ?? DEFAULT_LAKE;
    if (!lake.startsWith('s3://')) return resolve(io.cwd, lake);
  }
  const { configFrom } = await import('./config-from.js');
  return configFrom(values, io).lakeRoot;
}
