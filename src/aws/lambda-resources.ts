import { availableParallelism } from 'node:os';

export interface DuckDBResources {
  threads: number;
  memoryLimit: string;
}

/**
 * DuckDB limits inside a Lambda: a share of the function's memory (the rest is Node, the SDK and
 * buffers) and one thread per vCPU the memory size buys.
 */
export function duckdbResourcesForLambda(env: NodeJS.ProcessEnv = process.env, share = 0.6): DuckDBResources {
  const mb = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  const memoryMb = Number.isFinite(mb) && mb > 0 ? mb : 1024;
  return {
    threads: Math.max(1, availableParallelism()),
    memoryLimit: `${Math.max(128, Math.floor(memoryMb * share))}MB`,
  };
}
