import { TrinoClient } from '../../src/warehouse/trino/trino-client.js';

/** The Trino the suite runs on: CREDITLAKE_TRINO_URL, else the one `npm run trino:start` starts. */
export const TRINO_URL = process.env.CREDITLAKE_TRINO_URL ?? 'http://127.0.0.1:8080';

/**
 * Whether the Trino suite runs: yes when a Trino answers; when none does it is skipped (the summary
 * line says so and how to run it), unless CREDITLAKE_TRINO_REQUIRED is set (CI), where that fails.
 */
export async function trinoAvailable(): Promise<boolean> {
  const ok = await new TrinoClient({ url: TRINO_URL, user: 'creditlake' }).ready();
  if (!ok && process.env.CREDITLAKE_TRINO_REQUIRED) {
    throw new Error(`CREDITLAKE_TRINO_REQUIRED is set but no Trino answers at ${TRINO_URL} (npm run trino:start)`);
  }
  return ok;
}

export const TRINO_SKIP_LINE = `Trino suite skipped: no Trino at ${TRINO_URL}; run \`npm run trino:start\`, then \`npm test\` (CI starts it in .ci/run)`;
