/**
 * The build state machine's steps (src/aws/build-steps.ts): one Lambda, one action per call. The state
 * machine runs the Athena statements itself; this function plans, advances the build runner's steps
 * from statement to statement, recovers from failed statements, publishes or discards.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GlueClient } from '@aws-sdk/client-glue';
import { SFNClient } from '@aws-sdk/client-sfn';
import { BuildLock } from '../src/aws/build-lock.js';
import { executionRunning } from '../src/aws/execution-running.js';
import { createBuildSteps, type BuildSteps, type StepDeps } from '../src/aws/build-steps.js';
import { jsonLogger } from '../src/aws/json-log.js';
import { parseConfig } from '../src/config/config.js';
import { S3LakeStore } from '../src/lake/s3-store.js';
import { AthenaEngine } from '../src/warehouse/athena/athena-engine.js';

export type BuildStepEvent =
  | ({ action: 'plan' } & Parameters<BuildSteps['plan']>[0])
  | ({ action: 'advance' } & Parameters<BuildSteps['advance']>[0])
  | ({ action: 'recover' } & Parameters<BuildSteps['recover']>[0])
  | ({ action: 'merge' } & Parameters<BuildSteps['merge']>[0])
  | ({ action: 'finish' } & Parameters<BuildSteps['finish']>[0])
  | ({ action: 'abort' } & Parameters<BuildSteps['abort']>[0]);

/** A state machine build lock outlives any single step: the steps renew it, a dead execution frees it at once. */
export const SFN_LOCK_TTL_MS = 60 * 60_000;

export function createBuildStepHandler(deps: StepDeps) {
  const steps = createBuildSteps(deps);
  return async (event: BuildStepEvent): Promise<unknown> => {
    switch (event.action) {
      case 'plan':
        return steps.plan(event);
      case 'advance':
        return steps.advance(event);
      case 'recover':
        return steps.recover(event);
      case 'merge':
        return steps.merge(event);
      case 'finish':
        return steps.finish(event);
      case 'abort':
        return steps.abort(event);
      default:
        throw new Error(`unknown build step ${(event as { action?: string }).action}`);
    }
  };
}

export { executionRunning };

export function stepDepsFromEnv(env: NodeJS.ProcessEnv = process.env): StepDeps {
  const lake = env.LAKE_URI;
  if (!lake || !env.ATHENA_WORKGROUP || !env.GLUE_DATABASE) throw new Error('LAKE_URI, ATHENA_WORKGROUP and GLUE_DATABASE must be set');
  const deployedConfig = (env.CREDITLAKE_CONFIG ? JSON.parse(env.CREDITLAKE_CONFIG) : {}) as Record<string, unknown>;
  const config = parseConfig({ ...deployedConfig, lake }, 'CREDITLAKE_CONFIG');
  const bundled = join(dirname(fileURLToPath(import.meta.url)), 'sql');
  const store = S3LakeStore.fromUri(lake);
  const engineOptions = { workgroup: env.ATHENA_WORKGROUP, database: env.GLUE_DATABASE, timeoutMs: Number(env.QUERY_TIMEOUT_MS ?? 600_000) };
  const engine = new AthenaEngine(engineOptions);
  return {
    engine,
    engineOptions: { ...engineOptions, client: engine.client },
    store,
    glue: new GlueClient({}),
    lock: new BuildLock(store, { ttlMs: SFN_LOCK_TTL_MS }),
    executionRunning: executionRunning(new SFNClient({})),
    config,
    deployedConfig,
    sqlDir: existsSync(bundled) ? bundled : undefined,
    log: jsonLogger({ function: env.AWS_LAMBDA_FUNCTION_NAME ?? 'creditlake-build-step' }),
  };
}

let cached: ReturnType<typeof createBuildStepHandler> | undefined;

export async function handler(event: BuildStepEvent): Promise<unknown> {
  cached ??= createBuildStepHandler(stepDepsFromEnv());
  return cached(event);
}
