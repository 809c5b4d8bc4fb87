import { UsageError } from './command.js';

/** `--target`: where `build` and `query` run. The Athena side lives in athena-target.ts, loaded only when asked for. */
export const TARGETS = ['duckdb', 'athena'] as const;
export type Target = (typeof TARGETS)[number];

/** The `--target` option, for a command's parse() options. */
export const targetOption = { target: { type: 'string' } } as const;

export function parseTarget(value: string | undefined): Target {
  const t = value ?? 'duckdb';
  if (!(TARGETS as readonly string[]).includes(t)) throw new UsageError(`--target must be one of ${TARGETS.join(', ')}`);
  return t as Target;
}

