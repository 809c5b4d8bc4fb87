import { defaultConfig, parseConfig } from '../src/config/config.js';
import { ENGINES } from '../src/warehouse/engines.js';
import { runBuild } from '../src/warehouse/runner.js';
import { type BuildReport } from '../src/warehouse/build-session.js';
import { TrinoClient } from '../src/warehouse/trino/trino-client.js';

/** The local Trino the benches compare against (CREDITLAKE_TRINO_URL, else `npm run trino:start`'s). */
export const BENCH_TRINO_URL = process.env.CREDITLAKE_TRINO_URL ?? 'http://127.0.0.1:8080';

export async function trinoRunning(): Promise<boolean> {
  return new TrinoClient({ url: BENCH_TRINO_URL, user: 'creditlake' }).ready();
}

/** One full build of `lake` on `engine` through the shared runner; the Trino build gets its own schema. */
export async function timedBuild(engine: 'duckdb' | 'trino', lakeRoot: string, schema = 'bench'): Promise<{ report: BuildReport; ms: number }> {
  const config = engine === 'trino' ? parseConfig({ trino: { url: BENCH_TRINO_URL, schema } }) : defaultConfig();
  const t0 = performance.now();
  const report = await runBuild(await ENGINES[engine].openBuild!({ lakeRoot, config }), { config });
  return { report, ms: performance.now() - t0 };
}

export function describeBuild(engine: string, b: { report: BuildReport; ms: number }): string {
  const slowest = [...b.report.models].sort((a, c) => c.ms - a.ms).slice(0, 3);
  return (
    `${engine.padEnd(6)} build: ${(b.ms / 1000).toFixed(1)} s, ${b.report.models.length} models, ${b.report.tests.length} tests ` +
    `${b.report.ok ? 'passed' : 'FAILED'}; slowest ${slowest.map((m) => `${m.name} ${(m.ms / 1000).toFixed(1)} s`).join(', ')}`
  );
}
