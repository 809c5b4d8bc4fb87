import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, type LoadedConfig } from '../config/config.js';
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

export function configFrom(values: { config?: string; lake?: string }, io: CliIO): LoadedConfig {
  return loadConfig({ path: values.config, lake: values.lake, cwd: io.cwd });
}
