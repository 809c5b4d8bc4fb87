/**
 * Dashboards Lambda: the one origin of the dashboards' CloudFront distribution (function URL with
 * AWS_IAM auth, signed by origin access control). Every path passes the sign-in gate (Cognito ID token
 * checked with aws-jwt-verify, groups limiting pages); signed-in users get the dashboards bundle from
 * the private site bucket and the read-only slices of `creditlake serve`, answered by Athena over the
 * Glue catalog. Payload 2.0 events, as function URLs send.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { parseAuthParameter, type AuthParameter } from '../src/aws/auth/auth-parameter.js';
import { cognitoIdTokenVerifier, type VerifyIdToken } from '../src/aws/auth/verifier.js';
import { s3SiteFiles } from '../src/aws/site-files.js';
import { createWebGate } from '../src/aws/web-gate.js';
import { parseConfig } from '../src/config/config.js';
import { catalogOfMarker } from '../src/aws/catalog-snapshot.js';
import { readBuildMarker } from '../src/lake/build-marker.js';
import { primeCatalog } from '../src/serve/catalog.js';
import { S3LakeStore } from '../src/lake/s3-store.js';
import { AthenaDashboardWarehouse } from '../src/serve/athena-warehouse.js';
import { createDashboardApiHandler } from '../src/serve/lambda.js';
import { settingsFromConfig, type DashboardSettings } from '../src/serve/settings.js';
import { AthenaEngine } from '../src/warehouse/athena/athena-engine.js';

export interface DashboardApiDeps {
  athena: AthenaEngine;
  /** Reads the id of the latest finished build (the lake's build marker). */
  buildId?: () => Promise<string | undefined>;
  /** Reads the whole marker: its id, and the catalog the build recorded (no information_schema queries then). */
  buildMarker?: () => Promise<{ build_id: string; catalog?: unknown } | undefined>;
  settings?: DashboardSettings;
  /** How long a warm function trusts the build id it read, before reading it again. */
  markerCheckMs?: number;
  /** Without a marker, answers are reused this long at most. */
  noMarkerTtlMs?: number;
  now?: () => number;
}

/**
 * One read-only warehouse per build: the API caches answers (and the catalog) per engine instance, so
 * a new build id means a new instance and fresh answers, while requests within a build are served from
 * memory without an Athena query.
 */
export function buildKeyedEngine(deps: DashboardApiDeps): () => Promise<AthenaDashboardWarehouse> {
  const now = deps.now ?? Date.now;
  const checkMs = deps.markerCheckMs ?? 30_000;
  const noMarkerTtl = deps.noMarkerTtlMs ?? 5 * 60_000;
  let current: { engine: AthenaDashboardWarehouse; checkedAt: number; createdAt: number } | undefined;
  return async () => {
    const t = now();
    if (current && t - current.checkedAt < checkMs) return current.engine;
    let id: string | undefined;
    let snapshot: unknown;
    try {
      if (deps.buildMarker) {
        const m = await deps.buildMarker();
        id = m?.build_id;
        snapshot = m?.catalog;
      } else id = await deps.buildId?.();
    } catch {
      // The marker is an optimisation: if it cannot be read, keep the answers we have for a while.
      if (current) return current.engine;
    }
    const key = id ?? '';
    const expired = key === '' && current !== undefined && t - current.createdAt >= noMarkerTtl;
    if (!current || current.engine.buildMarker !== key || expired) {
      current = { engine: new AthenaDashboardWarehouse(deps.athena, key), checkedAt: t, createdAt: t };
      const catalog = catalogOfMarker(snapshot);
      if (catalog) primeCatalog(current.engine, catalog);
    } else current.checkedAt = t;
    return current.engine;
  };
}

export function createHandler(deps: DashboardApiDeps) {
  return createDashboardApiHandler({ engine: buildKeyedEngine(deps), settings: deps.settings });
}

/** The gate in front of the API: the deployed handler. */
export function gateFromEnv(env: NodeJS.ProcessEnv = process.env) {
  const apiDeps = depsFromEnv(env);
  if (!env.AUTH_PARAMETER || !env.SITE_BUCKET) throw new Error('AUTH_PARAMETER and SITE_BUCKET must be set');
  const paramName = env.AUTH_PARAMETER;
  const ssm = new SSMClient({});
  let auth: Promise<AuthParameter> | undefined;
  const authConfig = () =>
    (auth ??= ssm.send(new GetParameterCommand({ Name: paramName })).then((r) => parseAuthParameter(r.Parameter?.Value ?? '', paramName)).catch((e) => {
      auth = undefined;
      throw e;
    }));
  let verify: VerifyIdToken | undefined;
  const api = createHandler(apiDeps);
  return createWebGate({
    hostedUi: authConfig,
    verify: async () => (verify ??= cognitoIdTokenVerifier(await authConfig())),
    fetch: (url, init) => fetch(url, init),
    api: async (e) => (await api(e)) as APIGatewayProxyStructuredResultV2,
    site: s3SiteFiles(new S3Client({}), env.SITE_BUCKET),
  });
}

export function depsFromEnv(env: NodeJS.ProcessEnv = process.env): DashboardApiDeps {
  const lake = env.LAKE_URI;
  if (!lake || !env.ATHENA_WORKGROUP || !env.GLUE_DATABASE) throw new Error('LAKE_URI, ATHENA_WORKGROUP and GLUE_DATABASE must be set');
  const config = parseConfig({ ...(env.CREDITLAKE_CONFIG ? JSON.parse(env.CREDITLAKE_CONFIG) : {}), lake }, 'CREDITLAKE_CONFIG');
  const store = S3LakeStore.fromUri(lake);
  return {
    athena: new AthenaEngine({
      workgroup: env.ATHENA_WORKGROUP,
      database: env.GLUE_DATABASE,
      // CloudFront waits at most this long for the origin; a slower answer is of no use to the page.
      timeoutMs: Number(env.QUERY_TIMEOUT_MS ?? 25_000),
      pollInitialMs: 100,
      pollMaxMs: 1_000,
    }),
    buildMarker: () => readBuildMarker(store),
    settings: settingsFromConfig(config),
  };
}

let cached: ReturnType<typeof createWebGate> | undefined;

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  cached ??= gateFromEnv();
  return cached(event);
}
