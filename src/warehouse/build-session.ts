/**
 * What a build is given and gives back (options, reports, events), and what each engine implements
 * for the one build runner (runner.ts): the {@link BuildSession}, in the engine's own folder.
 */
import type { Config } from '../config/config.js';
import type { BuildMarker } from '../lake/build-marker.js';
import type { TableDef } from '../schema/index.js';
import type { CompileTarget, Model } from './compile/index.js';
import type { TestResult } from './data-tests.js';
import type { WarehouseEngine } from './engine.js';
import type { BuildState } from './build-plan.js';

export interface BuildOptions {
  config: Config;
  /** `--select` selectors (`m`, `m+`, `+m`, `+m+`); empty or absent = everything. */
  select?: readonly string[];
  /** Model project folder; default the package's `sql/`. */
  sqlDir?: string;
  /** Skip the data tests (they run by default). */
  skipTests?: boolean;
  /** Progress callback, one call per finished model or test. */
  onEvent?: (e: BuildEvent) => void;
  /**
   * Extra build-marker fields, asked for after the publish (the AWS build records the config it ran
   * with and the dashboards' catalog there).
   */
  markerFields?: (engine: WarehouseEngine) => Promise<Partial<BuildMarker>>;
  /**
   * An incremental build (src/warehouse/incremental.ts): the models to recompute and test. Selected
   * marts outside it are carried over from the published build as they are; staging and intermediate
   * models outside it are views, their data tests not run again. Absent: every selected model.
   */
  rebuild?: ReadonlySet<string>;
  /** Staging or intermediate models to keep as tables although no rebuilt mart reads them (what the engine reads after the models). */
  cacheAlso?: readonly string[];
  /**
   * Leave a staging or intermediate model that one reference of one other model (or data test) of
   * this build reads as a view, computed inside its reader, instead of keeping a table of it: where
   * no later build reuses kept tables (DuckDB's --select), writing a table read once only costs. The
   * models listed in `except` are kept anyway (what the engine reads after the models).
   */
  inlineReadOnce?: { except: readonly string[] };
}

/** `table`: a mart written as a table of the new generation (Parquet on every engine). */
export type ModelMaterialisation = 'view' | 'parquet' | 'table' | 'existing' | 'missing';

export interface ModelReport {
  name: string;
  kind: Model['kind'];
  materialised: ModelMaterialisation;
  /** Rows written (marts built in this run, where the engine reports them). */
  rows?: number;
  /** A staging/intermediate model the build also kept as a table for the marts to read. */
  cached?: boolean;
  ms: number;
}

export type BuildEvent = { type: 'model'; model: ModelReport } | { type: 'test'; test: TestResult };

export interface BuildReport {
  ok: boolean;
  /** Engine name (`duckdb`, `trino`, `athena`). */
  engine: string;
  lakeRoot: string;
  /** Where readers find the build: the warehouse file, `catalog.schema` or the Glue database. */
  warehouse: string;
  /** Identifies the build (and, once published, the generation readers see). */
  buildId: string;
  /** Whether readers now see this build (false: a failing data test on an engine that keeps the previous build then). */
  published: boolean;
  selected: string[];
  models: ModelReport[];
  tests: TestResult[];
  totalMs: number;
  /** The marker written at publish (absent when nothing was published). */
  marker?: BuildMarker;
  /** What the engine reports the build used (Athena: bytes scanned and estimated cost). */
  usage?: Record<string, number>;
}

/** A staging or intermediate model as readers see it after publish. */
export interface PublishedView {
  model: string;
  /** Its SQL over published names. */
  sql: string;
  /** The canonical table it stages, shown under that name too. */
  alias?: string;
}

/** What a session's publish tells the marker: each mart's location and any history it keeps. */
export type PublishedMarts = Pick<BuildMarker, 'marts' | 'history' | 'views' | 'model_files'>;

/** What one engine does for one build. Everything it creates before `publish` is invisible to readers. */
export interface BuildSession {
  readonly engineName: string;
  readonly lakeRoot: string;
  readonly warehouse: string;
  readonly buildId: string;
  /** Runs the data tests and plans queries. */
  readonly engine: WarehouseEngine;
  /** Where compiled models read canonical tables; `ref` names the published relation of a model. */
  readonly target: CompileTarget;
  /** Mart writes stored as files (`parquet`) or tables (`table`), for the report. */
  readonly martMaterialisation: 'parquet' | 'table';
  /**
   * How a mart's columns are held to its declared schema: `plan` describes the query first, `written`
   * describes the written table (engines where planning is the cost, like Trino), `cast` means the
   * writer casts every column to its declared type and order itself (Athena's CTAS: one statement
   * fewer per mart, billed per query). A `plan`/`written` mismatch fails the build.
   */
  readonly schemaCheck: 'plan' | 'written' | 'cast';
  /**
   * A failing data test: `publish` anyway (the embedded build: the user inspects the failing rows
   * in the new warehouse; the CLI exits 1) or `keep-previous` (readers stay on the last good build).
   */
  readonly onFailedTests: 'publish' | 'keep-previous';
  /**
   * How many independent steps (the models of one dependency layer, then the data tests) `runBuild`
   * runs at once: 1 where the engine has one connection to the new build (DuckDB), more where each
   * statement is a query on a server (Trino, Athena) and latency, not CPU, is most of a small model.
   */
  readonly concurrency: number;
  /** Where the build marker is written (the lake's store) and under which key. */
  readonly marker: { store: { writeText(key: string, text: string): Promise<void> }; key: string };
  /**
   * A staging or intermediate model as a view of the new generation; `sql` refs published names,
   * `buildSql` this build's relations, `alias` is the canonical table it stages. Returns the relation
   * the rest of the build reads it from.
   */
  createView(model: string, sql: string, buildSql: string, alias?: string): Promise<string>;
  /**
   * `readers`: the build's views of staging and intermediate models are what readers query once the
   * build is published (DuckDB's warehouse file, Trino's pointers), so every model gets one.
   * `build-only`: they serve this build alone and readers' views are created at publish from
   * `publish(…, views)` (Athena): a selective build then makes only the ones its selected models and
   * data tests read, while every model still gets its readers' view.
   */
  readonly buildViews?: 'readers' | 'build-only';
  /**
   * As createView, for a model the marts or tests read: the engine may keep its rows (computed once).
   * `partial` compiles the model with some refs (and raw tables, under incremental.ts sourceSlot) read
   * from other relations (an engine that recomputes a partitioned model for some customers or keys
   * only: src/warehouse/partitions.ts, PARTITIONED_MODELS).
   */
  cache(model: string, sql: string, buildSql: string, alias?: string, partial?: (refs: Readonly<Record<string, string>>) => string): Promise<string>;
  /** Writes a selected mart into the new generation; returns its relation and rows (if known). */
  writeMart(model: string, sql: string, declared: TableDef): Promise<{ relation: string; rows?: number }>;
  /** The published relation of a mart this build does not rebuild, carried into the new generation; undefined if none. */
  keepMart(model: string): Promise<string | undefined>;
  /** Output columns of a query (to check a mart against its declared schema). */
  describe(sql: string): Promise<{ name: string; type: string }[]>;
  /**
   * Reopening a build in progress in another process: what earlier steps created (relations of
   * every model built so far, marts written). Present on engines whose build can run step by step
   * across processes; the others build in one process (`runBuild`).
   */
  resume?(state: BuildState): void;
  /** After the last model, before publishing (DuckDB documents its views and columns here). */
  afterModels?(project: readonly Model[]): Promise<void>;
  /**
   * Makes the new generation the one every reader sees, in one switch; returns what the marker
   * records. `views`: the staging and intermediate models this build made, in build order, with their
   * SQL over published names (for engines that create the readers' views at publish).
   */
  publish(report: BuildReport, views: readonly PublishedView[]): Promise<PublishedMarts>;
  /** After the marker is written: removes generations no reader needs any more (temp tables, old versions). */
  afterPublish?(marker: BuildMarker): Promise<void>;
  /** Removes what this build created; the previous generation stays published. */
  discard(): Promise<void>;
  /** An error about the machine (no region, no credentials), passed on as it is instead of blamed on a model. */
  isSetupProblem?(e: unknown): boolean;
  /** Engine usage of this build so far (Athena: bytes scanned, estimated cost). */
  usage?(): Record<string, number>;
  close(): Promise<void>;
}
