import { ConfigError } from '../config/config.js';
import { LocalLakeStore } from './local-store.js';
import { S3LakeStore } from './s3-store.js';
import { isS3Uri } from './s3-uri.js';
import type { LakeStore } from './store.js';

/** The lake named by config: `s3://bucket/prefix` opens the S3 store, anything else a local folder. */
export function openLakeStore(lakeRoot: string): LakeStore {
  if (!isS3Uri(lakeRoot)) return new LocalLakeStore(lakeRoot);
  try {
    return S3LakeStore.fromUri(lakeRoot);
  } catch (e) {
    // A mistyped lake in config or --lake: say so, as for any other invalid config value.
    throw new ConfigError(`invalid lake: ${(e as Error).message}`);
  }
}
