import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT, UsageError, line, type CliIO, type Command } from '../command.js';
import { lakePaths } from '../../lake/layout.js';
import { parse } from '../options.js';
import { configFrom } from '../config-from.js';
import { serveUntilStopped } from '../serve-until-stopped.js';
import { parseTarget, targetOption } from '../athena-target.js';
import { ENGINES } from '../../warehouse/engines.js';
import type { TrinoEngine } from '../../warehouse/trino/trino-engine.js';

const usage = `Usage: creditlake serve [--port N] [--lake DIR] [--target duckdb|trino]

Serves the dashboards (CFO overview, marketing & segments, credit risk, collections) from the
embedded warehouse (lake/warehouse.duckdb, opened read-only) on http://127.0.0.1:N/.
Builds the front-end bundle first when it is missing. Stop with Ctrl-C.

  --port N    port on 127.0.0.1 (default 8765; 0 picks a free port)
  --lake DIR  lake folder (default from creditlake.config.json, else ./lake)
  --target t  duckdb (default: lake/warehouse.duckdb) or trino (the marts \`creditlake build --target trino\`
              published in the cluster of config "trino")`;

export const serveCommand: Command = {
  name: 'serve',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parse(argv, { port: { type: 'string', default: '8765' }, ...targetOption });
    const port = Number(values.port);
    if (!/^\d{1,5}$/.test(values.port) || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, got "${values.port}"`);
    const { config, lakeRoot } = configFrom(values, io);
    const target = parseTarget(values.target);
    if (target === 'trino') {
      const engine = (await ENGINES.trino.openReader({ config, lakeRoot })) as TrinoEngine;
      if (!(await engine.client.ready())) {
        line(io.stderr, `creditlake serve: no Trino answers at ${config.trino.url} (\`npm run trino:start\` starts a local one)`);
        return EXIT.FAILED;
      }
      return serveUntilStopped({
        command: 'serve',
        lakeRoot,
        port,
        config,
        io,
        source: { engine: async () => engine, close: () => engine.close() },
        announce: (url) => `Creditlake dashboards: ${url}  (Trino ${config.trino.url}, ${config.trino.catalog}.${config.trino.schema}; Ctrl-C to stop)`,
      });
    }
    if (target !== 'duckdb') throw new UsageError(`serve --target ${target}: on AWS the dashboards are hosted by the CDK stack`);
    if (lakeRoot.startsWith('s3://')) throw new UsageError('serve reads a local lake; on AWS the dashboards are hosted by the CDK stack');
    const db = join(lakeRoot, lakePaths.warehouseDb());
    if (!existsSync(db)) {
      line(io.stderr, `creditlake serve: no warehouse at ${db}: run \`creditlake build\` (or \`npm run demo\`) first, or pass --lake <dir>`);
      return EXIT.FAILED;
    }
    return serveUntilStopped({
      command: 'serve',
      lakeRoot,
      port,
      config,
      io,
      announce: (url) => `Creditlake dashboards: ${url}  (lake ${lakeRoot}; Ctrl-C to stop)`,
    });
  },
};
