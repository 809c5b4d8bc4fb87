import type { Command } from './command.js';
import { ingestCommand } from './commands/ingest.js';

/**
 * Every CLI command, in the order `creditlake --help` lists them. A command lives in its own
 * module under ./commands and is added here with one line.
 */
export const commands: Command[] = [
  ingestCommand,
];
