import { loadConfig, type LoadedConfig } from '../config/config.js';
import type { CliIO } from './command.js';

/** The validated config and lake root from --config / ./creditlake.config.json and --lake. */
export function configFrom(values: { config?: string; lake?: string }, io: CliIO): LoadedConfig {
  return loadConfig({ path: values.config, lake: values.lake, cwd: io.cwd });
}
