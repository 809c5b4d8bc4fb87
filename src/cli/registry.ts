import type { Command } from './command.js';
import { ingestCommand } from './commands/ingest.js';
import { generateCommand } from './commands/generate.js';
import { buildCommand } from './commands/build.js';
import { queryCommand } from './commands/query.js';
import { tablesCommand } from './commands/tables.js';
import { demoCommand } from './commands/demo.js';
import { serveCommand } from './commands/serve.js';
import { mappingsCommand } from './commands/mappings.js';

/**
 * Every CLI command, in the order `creditlake --help` lists them. A command lives in its own
 * module under ./commands and is added here with one line.
 */
export const commands: Command[] = [
  generateCommand,
  ingestCommand,
  mappingsCommand,
  buildCommand,
  queryCommand,
  tablesCommand,
  demoCommand,
  serveCommand,
];
