import type { LoadedConfig } from '../config/config.js';
import { ENGINES } from '../warehouse/engines.js';
import { TrinoConnectionError, TrinoQueryError } from '../warehouse/trino/trino-client.js';
import { EXIT, line, type CliIO } from './command.js';
import { formatRows, type OutputFormat } from './format.js';

/** `creditlake query --target trino`: one statement on the cluster of config "trino"; returns the exit code. */
export async function runTrinoQuery(sql: string, format: OutputFormat, loaded: LoadedConfig, io: CliIO): Promise<number> {
  const engine = await ENGINES.trino.openReader({ config: loaded.config, lakeRoot: loaded.lakeRoot });
  try {
    const result = await engine.query(sql.trim().replace(/;\s*$/, ''));
    io.stdout.write(formatRows(format, result.columns, result.rows));
    return EXIT.OK;
  } catch (e) {
    if (e instanceof TrinoQueryError || e instanceof TrinoConnectionError) {
      line(io.stderr, `creditlake query: ${e.message}`);
      return EXIT.FAILED;
    }
    throw e;
  } finally {
    await engine.close();
  }
}
