/**
 * The lake as a key → object store. Keys are lake-relative POSIX paths as built by ./layout.ts
 * (e.g. `raw/invoices/ingest_date=2024-05-01/<batch>.parquet`), so a local folder and an S3 prefix
 * hold the same layout. Kept minimal on purpose: everything a second (S3) implementation must offer.
 */
export interface LakeStore {
  /** Human-readable location of the lake (a folder path or `s3://bucket/prefix`), for messages. */
  readonly location: string;
  exists(key: string): Promise<boolean>;
  /** Every key under `prefix` (recursively), sorted; temporary in-flight names are never listed. */
  list(prefix: string): Promise<string[]>;
  /** Small text objects (manifests); undefined when the key does not exist. */
  readText(key: string): Promise<string | undefined>;
  /** Atomic: a reader sees the old object, or the whole new one, never a part. */
  writeText(key: string, text: string): Promise<void>;
  /**
   * Uploads a local file to `key`; atomic from a reader's point of view, replaces an existing object.
   * The local file must not be written again afterwards (only removed): a local lake may hard-link it.
   */
  putFile(localPath: string, key: string): Promise<void>;
  /** Removes `key`; no error when it does not exist. */
  delete(key: string): Promise<void>;
  /**
   * Copies `key` to a local file, for readers that need whole files (DuckDB over Parquet history).
   * Optional: a local store's objects already are files (LocalLakeStore.pathOf).
   */
  getFile?(key: string, localPath: string): Promise<void>;
}

/** Joins key segments with `/` whatever the OS separator (layout.ts uses path.join). */
export function toKey(path: string): string {
  return path.split(/[\\/]+/).filter(Boolean).join('/');
}
