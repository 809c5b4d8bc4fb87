import { EXIT, UsageError, line, type CliIO } from './command.js';
import { ConfigError } from '../config/config-error.js';
import { commands, type CommandEntry } from './registry.js';
import { awsSetupProblem } from '../aws/setup-problem.js';
import { describeFailure } from './failure.js';
import { quietOnClosedPipe } from './output.js';
import { useDuckDBResources } from '../warehouse/duckdb/resources.js';

const VERSION = '0.1.0';

function help(io: CliIO): void {
  line(io.stdout, 'creditlake: credit-management data pipeline and warehouse\n');
  line(io.stdout, 'Usage: creditlake <command> [options]\n');
  line(io.stdout, 'Commands:');
  const width = Math.max(...commands.map((c) => c.name.length));
  for (const c of commands) line(io.stdout, `  ${c.name.padEnd(width)}  ${c.summary}`);
  line(io.stdout, '\nRun `creditlake <command> --help` for the options of one command.');
  line(io.stdout, 'Global options: --config <file> (default ./creditlake.config.json), --lake <dir>, --json');
}

export async function main(argv: string[], io?: Partial<CliIO>): Promise<number> {
  const ctx: CliIO = {
    stdout: io?.stdout ?? process.stdout,
    stderr: io?.stderr ?? process.stderr,
    cwd: io?.cwd ?? process.cwd(),
    env: io?.env ?? process.env,
  };
  quietOnClosedPipe(ctx.stdout);
  quietOnClosedPipe(ctx.stderr);
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    help(ctx);
    return name ? EXIT.OK : EXIT.USAGE;
  }
  if (name === '--version' || name === '-v') {
    line(ctx.stdout, VERSION);
    return EXIT.OK;
  }
  const entry: CommandEntry | undefined = commands.find((c) => c.name === name);
  if (!entry) {
    line(ctx.stderr, `creditlake: unknown command "${name}". Commands: ${commands.map((c) => c.name).join(', ')}`);
    return EXIT.USAGE;
  }
  const command = await entry.load();
  // A command's DuckDB resources come from its own config (config-from.ts), never an earlier run's.
  useDuckDBResources({});
  if (rest.includes('--help') || rest.includes('-h')) {
    line(ctx.stdout, command.usage);
    return EXIT.OK;
  }
  try {
    return await command.run(rest, ctx);
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || isParseArgsError(e)) {
      line(ctx.stderr, `creditlake ${name}: ${(e as Error).message}`);
      // A pointer, not the whole usage text: 30 lines of options would push the one line that says
      // what went wrong off the screen.
      if (e instanceof UsageError || isParseArgsError(e)) line(ctx.stderr, `Run \`creditlake ${name} --help\` for the options.`);
      return EXIT.USAGE;
    }
    const setup = awsSetupProblem(e);
    if (setup) {
      line(ctx.stderr, `creditlake ${name}: ${setup}`);
      return EXIT.FAILED;
    }
    if (ctx.env.CREDITLAKE_DEBUG) line(ctx.stderr, (e as Error).stack ?? String(e));
    const failure = describeFailure(e);
    line(ctx.stderr, `creditlake ${name}: ${failure.message}`);
    return failure.exit;
  }
}

function isParseArgsError(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

