import { line, type CliIO } from './command.js';

const CAMEL = /^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$/;

/** `totalMs` → `total_ms`; keys that are not camelCase identifiers (file names, data keys) stay. */
export function snakeKey(key: string): string {
  return CAMEL.test(key) ? key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : key;
}

/**
 * The `--json` shape: every key snake_case, like the tables and columns it describes. The camelCase
 * keys of earlier releases follow the snake_case ones in each object as aliases with the same value,
 * for one release (until 0.2), so scripts written against them keep working while they move.
 */
export function jsonOutput(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonOutput);
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  const snake: Record<string, unknown> = {};
  const aliases: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const converted = jsonOutput(v);
    const s = snakeKey(k);
    snake[s] = converted;
    if (s !== k) aliases[k] = converted;
  }
  return { ...snake, ...aliases };
}

/** Prints a command's machine-readable result on stdout. */
export function printJson(io: CliIO, value: unknown): void {
  line(io.stdout, JSON.stringify(jsonOutput(value), null, 2));
}
