import { ConfigError } from '../config/config-error.js';
import { LocalLakeStore } from './local-store.js';
import { isS3Uri } from './s3-uri.js';
import type { LakeStore } from './store.js';

/**
 * The lake named by config: `s3://bucket/prefix` opens the S3 store, anything else a local folder.
 * The AWS SDK is loaded only for an S3 lake: loading it cost a local ingest about 0.2 CPU-s.
 */
export async function openLakeStore(lakeRoot: string): Promise<LakeStore> {
  if (!isS3Uri(lakeRoot)) return new LocalLakeStore(lakeRoot);
  const { S3LakeStore } = await import('./s3-store.js');
  try {
    return S3LakeStore.fromUri(lakeRoot);
  } catch (e) {
    // A mistyped lake in config or --lake: say so, as for any other invalid config value.
    throw new ConfigError(`invalid lake: ${(e as Error).message}`);
  }
}
