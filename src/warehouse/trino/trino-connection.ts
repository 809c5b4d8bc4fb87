import type { Config } from '../../config/config.js';
import type { TrinoConnection } from './trino-client.js';

/** The connection config `trino` describes; TRINO_PASSWORD overrides a password kept out of the file. */
export function trinoConnection(config: Config, env: NodeJS.ProcessEnv = process.env): TrinoConnection {
  const t = config.trino;
  return {
    url: t.url.replace(/\/+$/, ''),
    user: t.user,
    password: env.TRINO_PASSWORD ?? t.password,
    catalog: t.catalog,
    schema: t.schema,
    timeoutMs: t.query_timeout_seconds * 1000,
  };
}
