import { join } from 'node:path';
import type { Config } from '../config/config.js';
import { ENGINE_NAMES, type EngineName } from './engine-names.js';
import { lakePaths } from '../lake/layout.js';
import { isS3Uri } from '../lake/s3-uri.js';
import { athenaDialect } from './athena/athena-dialect.js';
import type { Dialect } from './dialect/dialect.js';
import { duckdbDialect } from './duckdb/duckdb-dialect.js';
import { openDuckDBBuild } from './duckdb/duckdb-build.js';
import { DuckDBEngine } from './duckdb/duckdb-engine.js';
import type { WarehouseEngine } from './engine.js';
import type { BuildSession } from './build-session.js';
import { openTrinoBuild } from './trino/trino-build.js';
import { trinoConnection } from './trino/trino-connection.js';
import { trinoDialect } from './trino/trino-dialect.js';
import { TrinoEngine } from './trino/trino-engine.js';

/**
 * The one registry of warehouse engines. The CLI (`--target`), `serve`, the Lambdas and the tests
 * pick an engine here by name; what an engine can or cannot do is a flag with its reason, never an
 * `if (name === …)` at the call site. A new engine is a folder beside duckdb/, athena/, trino/
 * and one entry below.
 */
export interface Capability {
  readonly supported: boolean;
  /** Why (not): shown to a user who asks for it. */
  readonly reason: string;
}

export interface EngineCapabilities {
  /** Reads a lake folder on this machine. */
  localLake: Capability;
  /** Reads an S3 lake (`s3://…`). */
  s3Lake: Capability;
  /** A failed or killed build leaves every reader on the complete previous build. */
  atomicPublish: Capability;
  /** Binds `$name` parameters server-side (else they are inlined as checked literals). */
  boundParameters: Capability;
  /**
   * A build runs step by step across processes (BuildRun reopened with the build id and state), as
   * an orchestrator such as Step Functions drives it; otherwise one process runs the whole build.
   */
  stepwise: Capability;
  /** A failing data test leaves readers on the previous build (else the build is published and the CLI exits 1). */
  gatedOnTests: Capability;
}

export interface EngineContext {
  lakeRoot: string;
  config: Config;
}

export interface EngineEntry {
  readonly name: EngineName;
  readonly title: string;
  readonly dialect: Dialect;
  readonly capabilities: EngineCapabilities;
  /** A session for the shared build runner; `resume` reopens a build in progress (when `stepwise`). */
  openBuild(ctx: EngineContext, resume?: { buildId: string }): Promise<BuildSession>;
  /** A reader of the published warehouse (query, serve). */
  openReader(ctx: EngineContext): Promise<WarehouseEngine>;
}

const yes = (reason: string): Capability => ({ supported: true, reason });
const no = (reason: string): Capability => ({ supported: false, reason });

export { ENGINE_NAMES, type EngineName };

export class NoWarehouseError extends Error {}

export const ENGINES: Record<EngineName, EngineEntry> = {
  duckdb: {
    name: 'duckdb',
    title: 'DuckDB (embedded)',
    dialect: duckdbDialect,
    capabilities: {
      localLake: yes('reads the lake folder directly'),
      s3Lake: no('DuckDB cannot load httpfs here; S3 lakes are built on Athena or Trino'),
      atomicPublish: yes('a new warehouse.duckdb naming a new generation of mart files is renamed into place'),
      boundParameters: yes('prepared statements with named parameters'),
      stepwise: no('the new warehouse file and its temporary tables live in the building process'),
      gatedOnTests: no('the new warehouse is published so the failing rows can be inspected; build exits 1'),
    },
    async openBuild({ lakeRoot, config }, resume) {
      if (resume) requireCapability(ENGINES.duckdb, 'stepwise', 'resuming a build');
      return openDuckDBBuild(lakeRoot, config);
    },
    async openReader({ lakeRoot }) {
      const db = join(lakeRoot, lakePaths.warehouseDb());
      try {
        return await DuckDBEngine.open({ path: db, readOnly: true });
      } catch (e) {
        if (/No such file|does not exist|Cannot open/i.test((e as Error).message)) {
          throw new NoWarehouseError(`no warehouse at ${db}; run \`creditlake build\` first`);
        }
        throw e;
      }
    },
  },
  athena: {
    name: 'athena',
    title: 'Amazon Athena',
    dialect: athenaDialect,
    capabilities: {
      localLake: no('Athena reads S3 only'),
      s3Lake: yes('over the Glue catalog of the CDK stack'),
      atomicPublish: yes('each mart is a new version folder; Glue tables are switched only after every mart and data test succeeded'),
      boundParameters: yes('ExecutionParameters (positional)'),
      stepwise: yes('every object of a build is named by its build id; the state carries the marts written'),
      gatedOnTests: yes('readers keep the previous mart versions; the new ones are removed'),
    },
    async openBuild({ lakeRoot, config }, resume) {
      const { AthenaEngine } = await import('./athena/athena-engine.js');
      const { openAthenaBuild } = await import('./athena/athena-build.js');
      const { S3LakeStore } = await import('../lake/s3-store.js');
      const engine = new AthenaEngine({
        workgroup: config.athena.workgroup,
        database: config.athena.database,
        timeoutMs: config.athena.query_timeout_seconds * 1000,
      });
      return openAthenaBuild({ engine, store: S3LakeStore.fromUri(lakeRoot), buildId: resume?.buildId });
    },
    async openReader({ config }) {
      // The AWS SDK loads only when Athena is asked for.
      const { AthenaEngine } = await import('./athena/athena-engine.js');
      return new AthenaEngine({
        workgroup: config.athena.workgroup,
        database: config.athena.database,
        timeoutMs: config.athena.query_timeout_seconds * 1000,
      });
    },
  },
  trino: {
    name: 'trino',
    title: 'Trino',
    dialect: trinoDialect,
    capabilities: {
      localLake: yes('a Hive catalog with the native local file system (npm run trino:start)'),
      s3Lake: yes('a Hive catalog on S3; set trino.lake_location'),
      atomicPublish: yes('readers query pointer views, repointed only after every mart of the build is written'),
      boundParameters: no("Trino's HTTP protocol has no named parameters: values are inlined as checked literals"),
      stepwise: yes('generation objects are named by the build id; publishing repoints the views'),
      gatedOnTests: no('the new generation is published so the failing rows can be inspected; build exits 1'),
    },
    openBuild: ({ lakeRoot, config }, resume) => openTrinoBuild(lakeRoot, config, resume),
    async openReader({ config }) {
      return new TrinoEngine(trinoConnection(config));
    },
  },
};

export function isEngineName(name: string): name is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(name);
}

/** Capability check with the reason as the message. */
export function requireCapability(engine: EngineEntry, cap: keyof EngineCapabilities, what: string): void {
  const c = engine.capabilities[cap];
  if (!c.supported) throw new Error(`${what} is not available on ${engine.title}: ${c.reason}`);
}

export function lakeCapability(lakeRoot: string): keyof EngineCapabilities {
  return isS3Uri(lakeRoot) ? 's3Lake' : 'localLake';
}
