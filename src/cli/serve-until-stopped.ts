import type { Config } from '../config/config.js';
import { startServer, type ServerOptions } from '../serve/server.js';
import { settingsFromConfig } from '../serve/settings.js';
import { EXIT, line, type CliIO } from './command.js';
import { portInUse } from './port-in-use.js';

/**
 * Serves the dashboards until Ctrl-C (or SIGTERM), for `creditlake serve` and the end of
 * `creditlake demo`: a taken port is one line and exit 1, not a stack trace.
 */
export async function serveUntilStopped(opts: {
  command: string;
  lakeRoot: string;
  port: number;
  config: Config;
  io: CliIO;
  /** Where the announcement goes (default stdout; stderr when stdout carries --json). */
  out?: CliIO['stdout'];
  /** The API's engine when it is not the lake's warehouse.duckdb (`serve --target trino`). */
  source?: ServerOptions['source'];
  /** The line that tells the user where to look, given the server's URL. */
  announce: (url: string) => string;
}): Promise<number> {
  const { io } = opts;
  let server;
  try {
    server = await startServer({
      lakeRoot: opts.lakeRoot,
      port: opts.port,
      settings: settingsFromConfig(opts.config),
      log: (m) => line(io.stderr, m),
      source: opts.source,
    });
  } catch (e) {
    const taken = portInUse(e, opts.port);
    if (!taken) throw e;
    line(io.stderr, `creditlake ${opts.command}: ${taken}`);
    return EXIT.FAILED;
  }
  line(opts.out ?? io.stdout, opts.announce(server.url));
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await server.close();
  return EXIT.OK;
}
