import { LocalLakeStore } from './local-store.js';
import { S3LakeStore } from './s3-store.js';
import { isS3Uri } from './s3-uri.js';
import type { LakeStore } from './store.js';

/** The lake named by config: `s3://bucket/prefix` opens the S3 store, anything else a local folder. */
export function openLakeStore(lakeRoot: string): LakeStore {
  return isS3Uri(lakeRoot) ? S3LakeStore.fromUri(lakeRoot) : new LocalLakeStore(lakeRoot);
}
