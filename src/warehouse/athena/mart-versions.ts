import { CreateTableCommand, EntityNotFoundException, GetTableCommand, UpdateTableCommand, type GlueClient, type TableInput } from '@aws-sdk/client-glue';
import type { BuildMarker } from '../../lake/build-marker.js';
import type { S3LakeStore } from '../../lake/s3-store.js';
import { glueColumns, type TableDef } from '../../schema/index.js';

/**
 * Versioned marts on Athena. Each build writes every mart to `marts/<model>/<build_id>/`; publishing
 * points each mart's Glue table at its new folder (UpdateTable: one atomic switch per table, done only
 * after every mart and data test of the build succeeded), the build marker records where each mart is
 * and the versions before it, and versions older than the last `keep` builds are deleted. Rollback points
 * the tables back at the previous build's folders. The build owns the mart tables (the stack creates
 * only the raw ones), so a redeploy never resets a mart to a folder holding every version.
 */
export const KEEP_VERSIONS = 3;

export interface PublishedBuild {
  build_id: string;
  finished_at: string;
  /** Mart name → lake key of its folder (`marts/<model>/<build_id>`). */
  marts: Record<string, string>;
}

const PARQUET = {
  InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
};

export function martTableInput(declared: TableDef, location: string): TableInput {
  return {
    Name: declared.name,
    Description: declared.description,
    TableType: 'EXTERNAL_TABLE',
    Parameters: { classification: 'parquet', EXTERNAL: 'TRUE' },
    PartitionKeys: [],
    StorageDescriptor: { ...PARQUET, Location: location, Columns: glueColumns(declared.columns).map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })) },
  };
}

/** Points (or first creates) each mart's Glue table at a folder. */
export async function pointMarts(glue: GlueClient, database: string, marts: { declared: TableDef; location: string }[]): Promise<void> {
  for (const m of marts) {
    const input = martTableInput(m.declared, m.location);
    let exists = true;
    try {
      await glue.send(new GetTableCommand({ DatabaseName: database, Name: m.declared.name }));
    } catch (e) {
      if (!(e instanceof EntityNotFoundException) && (e as { name?: string }).name !== 'EntityNotFoundException') throw e;
      exists = false;
    }
    if (exists) await glue.send(new UpdateTableCommand({ DatabaseName: database, TableInput: input }));
    else await glue.send(new CreateTableCommand({ DatabaseName: database, TableInput: input }));
  }
}

/**
 * Undoes the switches of a publish that stopped part way (Glue refused a switch, the Lambda timed out):
 * each mart whose table names this build's folder is pointed back at its previous folder. Returns the
 * marts whose new folder must stay because a table may still name it (no previous folder to return
 * to, or Glue could not be read or updated): deleting it would leave readers an empty mart.
 */
export async function unpointMarts(glue: GlueClient, database: string, marts: { declared: TableDef; location: string; previous?: string }[]): Promise<Set<string>> {
  const stay = new Set<string>();
  for (const m of marts) {
    try {
      let current: string | undefined;
      try {
        current = (await glue.send(new GetTableCommand({ DatabaseName: database, Name: m.declared.name }))).Table?.StorageDescriptor?.Location;
      } catch (e) {
        if (e instanceof EntityNotFoundException || (e as { name?: string }).name === 'EntityNotFoundException') continue;
        throw e;
      }
      if (current !== m.location) continue;
      if (!m.previous) {
        stay.add(m.declared.name);
        continue;
      }
      await glue.send(new UpdateTableCommand({ DatabaseName: database, TableInput: martTableInput(m.declared, m.previous) }));
    } catch {
      stay.add(m.declared.name);
    }
  }
  return stay;
}

/** Where the published build and the ones before it are, from the marker (newest first). */
export function publishedBuilds(marker: (BuildMarker & { marts?: Record<string, string>; history?: PublishedBuild[] }) | undefined): PublishedBuild[] {
  if (!marker?.marts) return [];
  return [{ build_id: marker.build_id, finished_at: marker.finished_at, marts: marker.marts }, ...(marker.history ?? [])];
}

/**
 * The marker fields of a new publish: every mart's folder (this build's for the marts it wrote, the
 * previous one's for the rest) and the last `keep - 1` builds before it.
 */
export function nextPublished(previous: PublishedBuild[], built: Record<string, string>, keep = KEEP_VERSIONS): { marts: Record<string, string>; history: PublishedBuild[] } {
  return { marts: { ...(previous[0]?.marts ?? {}), ...built }, history: previous.slice(0, keep - 1) };
}

/** Deletes mart version folders no kept build names (and never the current or a running build's). */
export async function pruneVersions(store: Pick<S3LakeStore, 'list' | 'deletePrefix'>, kept: PublishedBuild[], models: readonly string[], running?: string): Promise<number> {
  const keep = new Set(kept.flatMap((b) => Object.values(b.marts)));
  let removed = 0;
  for (const model of models) {
    const keys = await store.list(`marts/${model}`);
    const folders = new Set(keys.map((k) => k.split('/').slice(0, 3).join('/')).filter((f) => f.split('/').length === 3));
    for (const f of folders) {
      const id = f.split('/')[2]!;
      if (keep.has(f) || id === running) continue;
      // A build still running started later than the newest kept one; ids sort by start time.
      if (kept[0] && id > kept[0].build_id) continue;
      removed += await store.deletePrefix(f);
    }
  }
  return removed;
}
