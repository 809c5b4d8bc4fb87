import { UsageError } from './command.js';
import { ENGINE_NAMES, type EngineName } from '../warehouse/engine-names.js';

/** `--target`: where `build`, `query` and `serve` run. The Athena side lives in athena-target.ts, loaded only when asked for. */
export const TARGETS = ENGINE_NAMES;
export type Target = EngineName;

/** The `--target` option, for a command's parse() options. */
export const targetOption = { target: { type: 'string' } } as const;

export function parseTarget(value: string | undefined): Target {
  const t = value ?? 'duckdb';
  if (!(TARGETS as readonly string[]).includes(t)) throw new UsageError(`--target must be one of ${TARGETS.join(', ')}`);
  return t as Target;
}

