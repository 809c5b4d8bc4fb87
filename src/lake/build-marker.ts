import type { S3LakeStore } from './s3-store.js';
import type { PublishedModelFile } from './mart-generations.js';

/**
 * The marker the cloud build writes after it has rewritten the marts: readers (the dashboard API)
 * key their caches on it, so an answer is reused until the next build and never across one.
 * Outside every mart folder (`marts/<model>/`), so no Glue table reads it as data.
 */
export const BUILD_MARKER_KEY = 'marts/_build.json';

export interface BuildMarker {
  build_id: string;
  /** The engine that built it (`duckdb`, `trino`, `athena`); absent in markers written before the one runner. */
  engine?: string;
  finished_at: string;
  ok: boolean;
  models: number;
  /**
   * The project config the build ran with (as deployed, without `lake`), so a CLI build against this
   * lake uses the same one instead of overwriting the marts with its local settings.
   */
  config?: Record<string, unknown>;
  /**
   * The dashboards' catalog of this build (tables, columns, filter values; src/serve/catalog.ts), so the
   * API needs no information_schema round trips.
   */
  catalog?: unknown;
  /** Athena: each mart's published folder (marts/<model>/<build_id>) and the builds kept for rollback. */
  marts?: Record<string, string>;
  history?: { build_id: string; finished_at: string; marts: Record<string, string> }[];
  /** Embedded: staging and intermediate models published as Parquet (src/lake/mart-generations.ts). */
  model_files?: Record<string, PublishedModelFile>;
  /**
   * Athena: each readers' view (staging and intermediate models, canonical table names) as published,
   * by a fingerprint of its SQL and the declared schemas, so the next publish leaves them alone when
   * none changed (src/warehouse/athena/athena-build.ts).
   */
  views?: Record<string, string>;
  /** Embedded build: what it read (batches, model fingerprints), for the next build to compare against (src/warehouse/incremental.ts). */
  inputs?: unknown;
  /** Athena: what the build scanned and its estimated cost. */
  scanned?: { queries: number; bytes_scanned: number; bytes_billed: number; estimated_usd: number };
}

type MarkerStore = Pick<S3LakeStore, 'readText' | 'writeText'>;

export async function writeBuildMarker(store: MarkerStore, marker: Omit<BuildMarker, 'build_id'> & { build_id?: string }, now = new Date()): Promise<BuildMarker> {
  const full: BuildMarker = { ...marker, build_id: marker.build_id ?? `${now.toISOString()}-${Math.random().toString(36).slice(2, 8)}` };
  await store.writeText(BUILD_MARKER_KEY, `${JSON.stringify(full)}\n`);
  return full;
}

/** The latest build's marker, or `undefined` when no build has finished yet (or the marker is unreadable). */
export async function readBuildMarker(store: Pick<S3LakeStore, 'readText'>): Promise<BuildMarker | undefined> {
  const text = await store.readText(BUILD_MARKER_KEY);
  if (text === undefined) return undefined;
  try {
    const m = JSON.parse(text) as Partial<BuildMarker>;
    return typeof m.build_id === 'string' ? (m as BuildMarker) : undefined;
  } catch {
    return undefined;
  }
}

/** The current build id, or `undefined` when no build has finished yet (or the marker is unreadable). */
export async function readBuildId(store: Pick<S3LakeStore, 'readText'>): Promise<string | undefined> {
  return (await readBuildMarker(store))?.build_id;
}
