import { isAbsolute, relative } from 'node:path';
import { EXIT, UsageError, line, type CliIO, type Command } from '../command.js';
import { parse } from '../options.js';
import { configFrom } from '../config-from.js';
import { parseTarget, targetOption } from '../target.js';
import { runBuild } from '../../warehouse/runner.js';
import { TrinoConnectionError } from '../../warehouse/trino/trino-client.js';
import { formatMs, formatTable } from '../format.js';
import { buildWarehouse, BuildError, tablesWithFiles, type BuildEvent, type BuildReport, type IncrementalReport } from '../../warehouse/build.js';
import { LocalLakeStore } from '../../lake/local-store.js';
import { batchTables } from './batches.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lakePaths } from '../../lake/layout.js';
import { GraphError, ProjectError, SelectorError, TemplateError } from '../../warehouse/compile/index.js';
import type { ResultColumn } from '../../warehouse/engine.js';
import { printJson } from '../json-output.js';
import { describeChecks, readBuildChecks, type BuildChecks } from '../../warehouse/build-checks.js';
import { DuckDBEngine } from '../../warehouse/duckdb/duckdb-engine.js';

const usage = `Usage: creditlake build [--select <sel>]... [--full-refresh] [--no-tests] [--strict] [--lake DIR] [--config FILE] [--json]

Runs the SQL models in sql/ on DuckDB over the lake: staging views, marts materialised to
lake/marts/<model>/data.parquet, then lake/warehouse.duckdb (a view per canonical table, model and
mart) and the data tests. Exits 1 when a data test fails, or when the lake has no batches (nothing
ingested yet, or a mistyped --lake). Then prints the source freshness (last date per feed, the data
end), a partial last month, and warnings: a feed lagging the others by more than config
freshness.max_lag_days, figures the ledger cannot make meaningful (no payments, no credit reports,
no customers).

  --select <sel>   build only part of the DAG; repeatable or comma-separated:
                     <model>    just that model
                     <model>+   the model and everything that depends on it
                     +<model>   the model and everything it depends on
  --full-refresh   rebuild every mart; by default the embedded build is incremental: a mart whose
                   inputs (batches of the tables it reads, its SQL and that of every model it reads,
                   the config values it uses) did not change since the previous build is carried
                   over as it is, and says what changed; it falls back to a full refresh when there
                   is no previous build, the previous one failed a data test or skipped the tests,
                   or the Creditlake or DuckDB version changed; --select rebuilds what it selects.
                   Athena and Trino always rebuild every model.
  --no-tests       skip the data tests
  --strict         exit 1 on any warning (lagging feed, figures not meaningful), not only on failed tests
  --target <t>     duckdb (default); athena: run the models on Athena over the S3 lake (lake s3://…);
                   trino: run them on a Trino cluster over the lake (config "trino"; npm run trino:start
                   starts a local one on 127.0.0.1:8080)
  --rollback       with --target athena: publish again the marts of the build before the current one
                   (the last 3 builds are kept)
  --json           print a machine-readable report on stdout`;

/** Path as the user would type it: relative below the working directory, absolute elsewhere. */
function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

function describe(e: BuildEvent): string {
  if (e.type === 'model') {
    const m = e.model;
    const rows = m.rows === undefined ? (m.cached ? 'cached' : '') : `${m.rows.toLocaleString('en-US')} rows`;
    return `  ${m.materialised.padEnd(8)} ${m.name.padEnd(32)} ${rows.padStart(14)}  ${formatMs(m.ms).padStart(9)}`;
  }
  const t = e.test;
  const status = t.error ? 'ERROR' : t.ok ? 'pass' : 'FAIL';
  const detail = t.error ? `  ${t.error}` : t.ok ? '' : `  ${t.failingRows} failing row${t.failingRows === 1 ? '' : 's'}`;
  return `  ${status.padEnd(8)} ${t.name.padEnd(47)}  ${formatMs(t.ms).padStart(9)}${detail}`;
}

export const buildCommand: Command = {
  name: 'build',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parse(argv, {
      select: { type: 'string', multiple: true },
      'no-tests': { type: 'boolean', default: false },
      strict: { type: 'boolean', default: false },
      rollback: { type: 'boolean', default: false },
      'full-refresh': { type: 'boolean', default: false },
      ...targetOption,
    });
    const strict = values.strict === true;
    const { config, lakeRoot } = configFrom(values, io);
    const select = (values.select ?? []).flatMap((s) => s.split(/[,\s]+/)).filter(Boolean);
    const json = values.json === true;
    const targetName = parseTarget(values.target);
    const athena = targetName === 'athena';
    if (values.rollback === true) {
      if (!athena) throw new UsageError('--rollback needs --target athena (the embedded build keeps one previous generation, not a rollback history)');
      return (await import('../athena-target.js')).runAthenaRollback({ config, lakeRoot, json }, io);
    }
    if (athena) return (await import('../athena-target.js')).runAthenaBuild({ config, lakeRoot, select, skipTests: values['no-tests'] === true, json }, io);
    // The registry (and with it every engine's code) loads only for a target other than the default.
    const engine = targetName === 'duckdb' ? undefined : (await import('../../warehouse/engines.js')).ENGINES[targetName];
    if (engine) {
      const { lakeCapability, requireCapability } = await import('../../warehouse/engines.js');
      try {
        requireCapability(engine, lakeCapability(lakeRoot), `a lake at ${lakeRoot}`);
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    }
    let headerShown = false;
    const onEvent = (e: BuildEvent) => {
      if (json) return;
      if (e.type === 'test' && !headerShown) {
        line(io.stdout, 'data tests:');
        headerShown = true;
      }
      // Marts never built and not selected: counted in the summary, not listed one by one.
      if (e.type === 'model' && e.model.materialised === 'missing') return;
      line(io.stdout, describe(e));
    };
    // Nothing ingested (or a mistyped --lake): say so instead of building an empty warehouse that looks fine.
    const localLake = !lakeRoot.startsWith('s3://');
    if (localLake && (!existsSync(lakeRoot) || (!tablesWithFiles(lakeRoot).size && !(await batchTables(new LocalLakeStore(lakeRoot))).length))) {
      line(
        io.stderr,
        `creditlake build: no batches in ${shown(io.cwd, lakeRoot)}${existsSync(lakeRoot) ? '' : ' (no such folder)'}: ingest files first ` +
          '(`creditlake ingest <file> --table <name>`), or check --lake / the config\'s "lake"',
      );
      return EXIT.FAILED;
    }
    if (!json) {
      const on = !engine ? '' : ` on ${engine.title} (${config.trino.url}, ${config.trino.catalog}.${config.trino.schema})`;
      line(io.stdout, `building ${shown(io.cwd, lakeRoot)}${on}${select.length ? ` (select ${select.join(' ')})` : ''}`);
    }
    let report: BuildReport & { checks?: BuildChecks; incremental?: IncrementalReport };
    const onPlan = (p: IncrementalReport) => {
      if (json) return;
      for (const l of describePlan(p)) line(io.stdout, l);
    };
    try {
      const opts = { lakeRoot, config, select, skipTests: values['no-tests'] === true, onEvent, onPlan, fullRefresh: values['full-refresh'] === true };
      if (engine) {
        onPlan({ mode: 'full', reason: `incremental builds are embedded (DuckDB) only: ${engine.title} rebuilds every model`, changes: [], carried: [] });
        report = await runBuild(await engine.openBuild(opts), opts);
        report.incremental = { mode: 'full', reason: `incremental builds are embedded (DuckDB) only`, changes: [], carried: [] };
      } else report = await buildWarehouse(opts);
    } catch (e) {
      if (e instanceof SelectorError) throw new UsageError(e.message);
      if (e instanceof TrinoConnectionError) {
        line(io.stderr, `creditlake build: ${e.message}`);
        return EXIT.FAILED;
      }
      if (e instanceof BuildError || e instanceof GraphError || e instanceof ProjectError || e instanceof TemplateError) {
        line(io.stderr, `creditlake build: ${e.message}`);
        return EXIT.FAILED;
      }
      throw e;
    }
    // Freshness and completeness read the embedded warehouse; a Trino build has none to open.
    // The embedded build reads its checks before publishing; a build that stopped before then reads the file.
    const checks = engine ? undefined : (report.checks ?? (await checksOf(report.warehouse, lakeRoot)));
    const strictFail = strict && (checks?.warnings.length ?? 0) > 0;
    // The outcome the docs site shows beside each data test (`creditlake docs`). An incremental build
    // runs the tests of what it rebuilt; the others keep the outcome of the build that last ran them
    // (it passed: a failed test makes the next build a full refresh).
    const ran = new Set(report.tests.map((t) => t.name));
    const earlier = report.incremental?.mode === 'incremental' ? previousTests(lakeRoot).filter((t) => !ran.has(t.name)) : [];
    writeFileSync(
      join(lakeRoot, lakePaths.buildReport()),
      `${JSON.stringify(
        {
          finished_at: new Date().toISOString(),
          ok: report.ok,
          tests: [...report.tests.map((t) => ({ name: t.name, ok: t.ok, failing_rows: t.failingRows, error: t.error, ms: Math.round(t.ms) })), ...earlier],
        },
        null,
        2,
      )}\n`,
    );
    if (json) {
      printJson(io, { ...report, checks, strict });
      return report.ok && !strictFail ? EXIT.OK : EXIT.FAILED;
    }
    const failed = report.tests.filter((t) => !t.ok);
    for (const t of failed) {
      line(io.stderr, `\ndata test ${t.name} failed${t.error ? `: ${t.error}` : ` (${t.failingRows} rows); sample:`}`);
      if (t.sample.length) {
        const columns: ResultColumn[] = Object.keys(t.sample[0]!).map((name) => ({ name, type: 'VARCHAR' }));
        io.stderr.write(formatTable(columns, t.sample));
      }
    }
    const marts = report.models.filter((m) => m.materialised === 'parquet' || m.materialised === 'table').length;
    const carried = report.incremental?.carried.length ?? 0;
    const reused = report.incremental?.reused?.length ?? 0;
    const partial = report.incremental?.partial ?? [];
    const views = report.models.filter((m) => m.materialised === 'view').length;
    const absent = report.models.filter((m) => m.materialised === 'missing').map((m) => m.name);
    if (absent.length) line(io.stdout, `not built yet (not selected): ${absent.join(', ')}`);
    const whole = report.incremental?.mode === 'incremental' ? (report.incremental.whole ?? []) : [];
    if (whole.length) line(io.stdout, `computed whole (not per customer): ${whole.map((w) => `${w.model} (${w.reason})`).join('; ')}`);
    if (checks) for (const l of describeChecks(checks)) line(l.startsWith('warning:') ? io.stderr : io.stdout, l);
    line(
      io.stdout,
      `\n${report.ok ? 'ok' : 'FAILED'}: ${marts} mart${marts === 1 ? '' : 's'} written${carried ? `, ${carried} carried over` : ''}, ${views} views` +
        `${reused || partial.length ? ` (${[...(reused ? [`${reused} read from the model cache`] : []), ...(partial.length ? [`${partial.length} recomputed for the changed customers only: ${partial.map((p) => `${p.model} ${p.affected}`).join(', ')}`] : [])].join('; ')})` : ''}, ` +
        `${values['no-tests'] ? 'data tests skipped' : `${report.tests.length - failed.length}/${report.tests.length} data tests passed`} ` +
        `in ${formatMs(report.totalMs)}; warehouse ${!engine ? shown(io.cwd, report.warehouse) : `${report.warehouse} on ${engine.title}`}`,
    );
    if (strictFail) line(io.stderr, `build --strict: ${checks!.warnings.length} warning(s) above; exit 1`);
    return report.ok && !strictFail ? EXIT.OK : EXIT.FAILED;
  },
};

/** The data test outcomes the last build left in build-report.json (none when unreadable). */
function previousTests(lakeRoot: string): { name: string }[] {
  try {
    const tests = (JSON.parse(readFileSync(join(lakeRoot, lakePaths.buildReport()), 'utf8')) as { tests?: { name: string }[] }).tests;
    return Array.isArray(tests) ? tests : [];
  } catch {
    return [];
  }
}

/** What the build recomputes and why, as lines. Pure. */
export function describePlan(p: IncrementalReport): string[] {
  const changes = p.changes.length ? `; changed since ${p.previous ?? 'the previous build'}: ${p.changes.join('; ')}` : '';
  if (p.mode === 'full') return [`full refresh: ${p.reason}${changes}`];
  if (!p.changes.length) return [`incremental: nothing changed since ${p.previous}; ${p.carried.length} marts carried over`];
  return [`incremental: ${p.carried.length} marts carried over from ${p.previous} (inputs unchanged), the others rebuilt${changes}`];
}

/** Freshness, partial months and completeness from the warehouse just built (none when it is absent). */
async function checksOf(warehouse: string, lakeRoot: string): Promise<BuildChecks | undefined> {
  let engine: DuckDBEngine | undefined;
  try {
    engine = await DuckDBEngine.open({ path: warehouse, readOnly: true, lakeRoot });
    return await readBuildChecks(engine);
  } catch {
    return undefined;
  } finally {
    await engine?.close();
  }
}
