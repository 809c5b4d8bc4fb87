import { GetQueryExecutionCommand, type QueryExecution } from '@aws-sdk/client-athena';
import type { GlueClient } from '@aws-sdk/client-glue';
import type { Config } from '../config/config.js';
import type { S3LakeStore } from '../lake/s3-store.js';
import { newAthenaBuildId, openAthenaBuild } from '../warehouse/athena/athena-build.js';
import { AthenaEngine, AthenaQueryError, type AthenaEngineOptions } from '../warehouse/athena/athena-engine.js';
import { BuildRun } from '../warehouse/runner.js';
import { mergeSteps, newBuildState, type BuildState, type StepResult } from '../warehouse/build-plan.js';
import { addQuery, emptyTotals, estimatedUsd, type ScanTotals } from './athena-cost.js';
import type { BuildLock, LockInfo } from './build-lock.js';
import { athenaCatalogSnapshot } from './catalog-snapshot.js';
import type { JsonLogger } from './json-log.js';

/**
 * The Athena build as the steps of a Step Functions execution (infra: BuildOrchestration), driving the
 * one build runner ({@link BuildRun}) step by step, while the state machine runs every statement itself
 * (Athena's .sync integration: Step Functions waits for each query, however long, so no Lambda polls
 * and the build has no 900 s ceiling):
 *
 *   plan     takes the lake's build lock (the CLI takes the same one), keeps the build's state in the
 *            lake (marts/_builds/<build_id>/state.json) and returns the runner's dependency layers
 *   advance  runs one runner step (a model and its data tests, or a SQL data test) up to its next
 *            statement, which it hands to the state machine; called again with that query's id, it
 *            replays the step — the statements already run answer from their query ids — and goes on,
 *            until the step is done and returns its result. A step is deterministic (names derive from
 *            the build id), so a replay issues the same statements; a divergence is an error.
 *   recover  after a failed statement: a transient failure is retried with backoff (a partial CTAS
 *            folder and table removed first); any other failure is handed to the runner, which makes a
 *            data test fail or stops the build naming the model
 *   merge    folds a layer's step results into the build state
 *   finish   the runner's finish: publish (each mart's Glue table switched to its new version) and the
 *            marker — or, a data test failed, keep the previous marts; releases the lock
 *   abort    the runner's abort (every new version and temporary table removed); releases the lock
 */

export interface StepDeps {
  /** Runs the few statements steps run themselves (finish, abort, the dashboards' catalog). */
  engine: AthenaEngine;
  /** The options of `engine`, for the replaying engines of `advance` (same client, workgroup, database). */
  engineOptions: AthenaEngineOptions;
  store: S3LakeStore;
  glue: GlueClient;
  config: Config;
  /** The config as deployed (CREDITLAKE_CONFIG), recorded in the marker for CLI builds against this lake. */
  deployedConfig?: Record<string, unknown>;
  sqlDir?: string;
  lock: BuildLock;
  /** Whether the execution behind an `sfn:` lock still runs; undefined = unknown (the lock's expiry decides). */
  executionRunning?: (executionArn: string) => Promise<boolean | undefined>;
  log: JsonLogger;
  /** Attempts per statement for transient failures (default 4). */
  maxAttempts?: number;
}

/** Another build holds the lake: the state machine retries the plan step with backoff. */
export class BuildLockedError extends Error {
  override name = 'BuildLocked';
}

/** A model failed for good (or the lock was lost): the execution fails and the build is discarded. */
export class StepFailedError extends Error {
  override name = 'StepFailed';
}

export const SFN_OWNER_PREFIX = 'sfn:';
export const buildStateKey = (buildId: string) => `marts/_builds/${buildId}/state.json`;
const buildDir = (buildId: string) => `marts/_builds/${buildId}`;

/** A statement the state machine ran for a step: its query id, or the failure the runner should see. */
export type DoneStatement = { id: string } | { failed: string };

interface StoredBuild {
  owner: string;
  reason: string;
  select?: string[];
  state: BuildState;
  scanned: ScanTotals;
}

/** The failure a Catch hands over ({Error, Cause}), as one readable line. */
export function failureMessage(failure: unknown): string {
  const f = (failure ?? {}) as { Error?: string; Cause?: string };
  let cause = f.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as Record<string, any>;
    // Athena .sync: the QueryExecution; Lambda: {errorMessage}.
    cause =
      parsed.QueryExecution?.Status?.AthenaError?.ErrorMessage ??
      parsed.QueryExecution?.Status?.StateChangeReason ??
      parsed.Status?.AthenaError?.ErrorMessage ??
      parsed.Status?.StateChangeReason ??
      parsed.errorMessage ??
      cause;
  } catch {
    // A plain string cause.
  }
  return [f.Error, cause].filter(Boolean).join(': ') || 'unknown failure';
}

/** Failures worth another attempt: throttling, service faults, S3 slow-downs; a SQL or data error is not. */
export function isTransient(message: string): boolean {
  return /throttl|rate exceeded|too ?many ?requests|slow ?down|internal ?(server ?)?(error|exception)|service ?unavailable|GENERIC_INTERNAL_ERROR|HIVE_CANNOT_OPEN_SPLIT|Query exhausted resources|timed? ?out|States\.Timeout/i.test(message);
}

/** Seconds before attempt `attempt + 1`: 15 s doubling, at most 5 minutes. */
export const retryDelaySeconds = (attempt: number) => Math.min(300, 15 * 2 ** (attempt - 1));

const normalise = (sql: string) => sql.replace(/\s+/g, ' ').trim();

/**
 * An Athena engine for one replay of a step: statement i answers from the i-th query the state machine
 * already ran; the first statement past those is handed out (`next`) and never answered, so the step
 * stops there without any of its error paths running.
 */
class ReplayEngine extends AthenaEngine {
  private cursor = 0;
  next?: string;
  /** Bytes each replayed query scanned. */
  readonly queryBytes: number[] = [];
  private readonly wanted: Promise<string>;
  private resolveWanted!: (sql: string) => void;

  constructor(
    opts: AthenaEngineOptions,
    private readonly done: readonly DoneStatement[],
  ) {
    super(opts);
    this.wanted = new Promise((r) => (this.resolveWanted = r));
  }

  /** Settles with the next statement the step needs. */
  nextStatement(): Promise<string> {
    return this.wanted;
  }

  override async run(sql: string): Promise<QueryExecution & { QueryExecutionId: string }> {
    const i = this.cursor++;
    const d = this.done[i];
    if (!d) {
      this.next = sql;
      this.resolveWanted(sql);
      return new Promise(() => undefined);
    }
    if ('failed' in d) throw new AthenaQueryError(d.failed, '', 'FAILED');
    const { QueryExecution: qe } = await this.client.send(new GetQueryExecutionCommand({ QueryExecutionId: d.id }));
    if (qe?.Query !== undefined && normalise(qe.Query) !== normalise(sql)) {
      throw new StepFailedError(`step replay diverged at statement ${i + 1}: the state machine ran another statement (query ${d.id})`);
    }
    if (qe?.Status?.State !== 'SUCCEEDED') throw new AthenaQueryError(`Athena query ${d.id} is ${qe?.Status?.State ?? 'unknown'}`, d.id, qe?.Status?.State ?? 'UNKNOWN');
    addQuery(this.scans, qe.Statistics?.DataScannedInBytes);
    this.queryBytes.push(qe.Statistics?.DataScannedInBytes ?? 0);
    return { ...qe, QueryExecutionId: d.id };
  }
}

export function createBuildSteps(deps: StepDeps) {
  const alive = async (holder: LockInfo) =>
    holder.owner.startsWith(SFN_OWNER_PREFIX) && deps.executionRunning ? deps.executionRunning(holder.owner.slice(SFN_OWNER_PREFIX.length)) : undefined;
  const load = async (buildId: string): Promise<StoredBuild> => {
    // S3 reads its own writes (strong read-after-write consistency): no state means the build is gone.
    // (The 250 ms re-read that stood here hid a fault of the test S3 server, fixed in test/support/s3-server.ts.)
    const text = await deps.store.readText(buildStateKey(buildId));
    if (text === undefined) throw new StepFailedError(`build ${buildId} has no state in the lake (aborted or finished)`);
    return JSON.parse(text) as StoredBuild;
  };
  const save = (buildId: string, b: StoredBuild) => deps.store.writeText(buildStateKey(buildId), `${JSON.stringify(b)}\n`);
  const renew = async (b: StoredBuild) => {
    try {
      await deps.lock.renewAs(b.owner);
    } catch (e) {
      if ((e as Error).name === 'LockLost') throw new StepFailedError(`${(e as Error).message}; build ${b.state.buildId} stops`);
      throw e;
    }
  };
  const options = (b: Pick<StoredBuild, 'select'>) => ({ config: deps.config, sqlDir: deps.sqlDir, select: b.select });
  const session = (buildId: string, engine = deps.engine) => openAthenaBuild({ engine, store: deps.store, glue: deps.glue, buildId });
  const done = async (b: StoredBuild) => {
    await deps.store.deletePrefix(buildDir(b.state.buildId)).catch(() => undefined);
    await deps.lock.releaseAs(b.owner);
  };

  return {
    /** Takes the lock, records the build, returns its layers of steps. */
    async plan(input: { execution?: string; input?: { reason?: string; select?: string[] } }): Promise<{ build_id: string; layers: string[][] }> {
      const owner = `${SFN_OWNER_PREFIX}${input.execution ?? 'unknown'}`;
      const got = await deps.lock.acquire(owner, alive);
      // The same execution retrying its plan step (a lost response) holds the lock already.
      if (!got.acquired && got.holder.owner !== owner) {
        throw new BuildLockedError(`another build holds the lake (${got.holder.owner}, since ${got.holder.acquired_at}); waiting`);
      }
      const buildId = newAthenaBuildId();
      const select = input.input?.select?.length ? input.input.select : undefined;
      try {
        const run = new BuildRun(session(buildId), options({ select }));
        const plan = run.plan();
        const b: StoredBuild = { owner, reason: input.input?.reason ?? 'direct', select, state: newBuildState(buildId), scanned: emptyTotals() };
        await save(buildId, b);
        deps.log.log('info', 'build planned', { build_id: buildId, reason: b.reason, steps: plan.layers.flat().length, layers: plan.layers.length });
        return { build_id: buildId, layers: plan.layers };
      } catch (e) {
        await deps.lock.releaseAs(owner).catch(() => undefined);
        throw new StepFailedError(`the build could not be planned: ${(e as Error).message}`);
      }
    },

    /** Runs one step up to its next statement (handed out), or to its end (its result). */
    async advance(input: { build_id: string; step: string; done?: DoneStatement[]; last?: DoneStatement | Record<string, never> | null }): Promise<{ done: DoneStatement[]; statement?: string; result?: StepResult & { query_bytes: number[] } }> {
      const b = await load(input.build_id);
      await renew(b);
      const last = input.last && ('id' in input.last || 'failed' in input.last) ? [input.last as DoneStatement] : [];
      const doneNow = [...(input.done ?? []), ...last];
      const engine = new ReplayEngine(deps.engineOptions, doneNow);
      const run = new BuildRun(session(input.build_id, engine), options(b), b.state);
      const outcome = await Promise.race([
        run.step(input.step).then((result) => ({ result })),
        engine.nextStatement().then((statement) => ({ statement })),
      ]);
      if ('statement' in outcome) return { done: doneNow, statement: outcome.statement };
      const r = outcome.result;
      if (r.model) deps.log.log('info', `model ${r.model.name}`, { build_id: input.build_id, ...r.model });
      for (const t of r.tests) deps.log.log(t.ok ? 'info' : 'error', `data test ${t.name} ${t.ok ? 'passed' : 'FAILED'}`, { build_id: input.build_id, test: t });
      return { done: doneNow, result: { ...r, query_bytes: engine.queryBytes } };
    },

    /** After a failed statement: retry (transient, attempts left) or hand the failure to the runner. */
    async recover(input: { build_id: string; step: string; statement?: string; failure: unknown; attempt?: number }): Promise<{ retry_in: number; attempt: number } | { last: DoneStatement }> {
      const b = await load(input.build_id);
      const attempt = input.attempt ?? 1;
      const message = failureMessage(input.failure);
      if (isTransient(message) && attempt < (deps.maxAttempts ?? 4)) {
        // A CTAS that died part way leaves a table and files: the next attempt needs neither.
        const table = /^\s*CREATE TABLE (\S+)/i.exec(input.statement ?? '')?.[1];
        const location = /external_location = '([^']+)'/.exec(input.statement ?? '')?.[1];
        if (table) await deps.engine.execute(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
        if (location?.startsWith(deps.store.uriOf('marts/'))) await deps.store.deletePrefix(location.slice(deps.store.location.length).replace(/\/$/, ''));
        await renew(b);
        const retryIn = retryDelaySeconds(attempt);
        deps.log.log('warn', `${input.step}: statement failed (attempt ${attempt}), retrying in ${retryIn} s: ${message}`, { build_id: input.build_id });
        return { retry_in: retryIn, attempt: attempt + 1 };
      }
      return { last: { failed: message } };
    },

    /** Folds a layer's results into the build state. */
    async merge(input: { build_id: string; results: (StepResult & { query_bytes?: number[] })[] }): Promise<{ steps: number }> {
      const b = await load(input.build_id);
      await renew(b);
      b.state = mergeSteps(b.state, input.results);
      for (const r of input.results) for (const q of r.query_bytes ?? []) addQuery(b.scanned, q);
      await save(input.build_id, b);
      return { steps: input.results.length };
    },

    /** Publishes (or, a data test failed, keeps the previous marts), writes the marker, releases the lock. */
    async finish(input: { build_id: string }) {
      const b = await load(input.build_id);
      await renew(b);
      const before = { ...deps.engine.scans };
      try {
        const run = new BuildRun(session(input.build_id), {
          ...options(b),
          // Readers cache per build and read its catalog from the marker; a CLI build against this lake uses its config.
          markerFields: async () => {
            let catalog: unknown;
            try {
              catalog = await athenaCatalogSnapshot(deps.engine);
            } catch (e) {
              deps.log.log('warn', `dashboard catalog not recorded (the API will query it): ${(e as Error).message}`);
            }
            return { config: deps.deployedConfig ?? {}, catalog, scanned: scannedOf(b.scanned) };
          },
        }, b.state);
        const report = await run.finish();
        const spent: ScanTotals = {
          queries: b.scanned.queries + deps.engine.scans.queries - before.queries,
          bytesScanned: b.scanned.bytesScanned + deps.engine.scans.bytesScanned - before.bytesScanned,
          bytesBilled: b.scanned.bytesBilled + deps.engine.scans.bytesBilled - before.bytesBilled,
        };
        const out = {
          ok: report.ok,
          published: report.published,
          build_id: input.build_id,
          models: report.models.length,
          tests: report.tests.length,
          failed_tests: report.tests.filter((t) => !t.ok).map((t) => ({ name: t.name, failing_rows: t.failingRows, ...(t.error ? { error: t.error } : {}) })),
          scanned: scannedOf(spent),
        };
        deps.log.log(out.ok ? 'info' : 'error', out.ok ? 'build finished and published' : 'build failed its data tests; the previous marts stay published', out);
        return out;
      } finally {
        await done(b);
      }
    },

    /** Discards the build (every new version and temporary table), releases the lock. */
    async abort(input: { build_id?: string; failure?: unknown }): Promise<{ build_id?: string; message: string }> {
      const message = failureMessage(input.failure);
      if (input.build_id) {
        const text = await deps.store.readText(buildStateKey(input.build_id));
        if (text) {
          const b = JSON.parse(text) as StoredBuild;
          try {
            await new BuildRun(session(input.build_id), options(b), b.state).abort();
          } finally {
            await done(b);
          }
        }
      }
      deps.log.log('error', `build ${input.build_id ?? '(not planned)'} failed; the previous marts stay published: ${message}`, { build_id: input.build_id });
      return { build_id: input.build_id, message };
    },
  };
}

function scannedOf(t: ScanTotals) {
  return { queries: t.queries, bytes_scanned: t.bytesScanned, bytes_billed: t.bytesBilled, estimated_usd: estimatedUsd(t) };
}

export type BuildSteps = ReturnType<typeof createBuildSteps>;
