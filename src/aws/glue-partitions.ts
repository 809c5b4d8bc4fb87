import { BatchCreatePartitionCommand, GetTableCommand, type GlueClient, type StorageDescriptor } from '@aws-sdk/client-glue';

/**
 * Registers the Hive partitions of committed batches in Glue, so Athena plans exactly the days that
 * hold data (partition projection would probe every day since a start date). Idempotent: a partition
 * already registered (re-delivered event, another batch of the same day) is not an error.
 */

/** `raw/invoices/ingest_date=2026-12-02/<batch>.parquet` → table invoices, day 2026-12-02. */
export function partitionOfKey(key: string): { table: string; day: string } | undefined {
  const m = /^raw\/([a-z_][a-z0-9_]*)\/ingest_date=(\d{4}-\d{2}-\d{2})\/[^/]+\.parquet$/.exec(key);
  return m ? { table: m[1]!, day: m[2]! } : undefined;
}

export interface PartitionRegistrar {
  /** Registers the partitions of these lake keys; returns the partitions it created (new ones). */
  register(dataKeys: readonly string[]): Promise<string[]>;
}

export function gluePartitionRegistrar(opts: { client: GlueClient; database: string; tableName?: (table: string) => string }): PartitionRegistrar {
  const tableName = opts.tableName ?? ((t: string) => `raw_${t}`);
  const descriptors = new Map<string, Promise<StorageDescriptor>>();
  const descriptor = (table: string) => {
    let d = descriptors.get(table);
    if (!d) {
      d = opts.client.send(new GetTableCommand({ DatabaseName: opts.database, Name: table })).then((r) => {
        const sd = r.Table?.StorageDescriptor;
        if (!sd?.Location) throw new Error(`Glue table ${opts.database}.${table} has no storage location`);
        return sd;
      });
      d.catch(() => descriptors.delete(table));
      descriptors.set(table, d);
    }
    return d;
  };
  return {
    async register(dataKeys) {
      const byTable = new Map<string, Set<string>>();
      for (const k of dataKeys) {
        const p = partitionOfKey(k);
        if (!p) continue;
        if (!byTable.has(p.table)) byTable.set(p.table, new Set());
        byTable.get(p.table)!.add(p.day);
      }
      const created: string[] = [];
      for (const [table, days] of byTable) {
        const name = tableName(table);
        const sd = await descriptor(name);
        const base = sd.Location!.endsWith('/') ? sd.Location! : `${sd.Location}/`;
        const res = await opts.client.send(
          new BatchCreatePartitionCommand({
            DatabaseName: opts.database,
            TableName: name,
            PartitionInputList: [...days].map((day) => ({
              Values: [day],
              StorageDescriptor: { ...sd, Location: `${base}ingest_date=${day}/` },
            })),
          }),
        );
        const failed = (res.Errors ?? []).filter((e) => e.ErrorDetail?.ErrorCode !== 'AlreadyExistsException');
        if (failed.length) {
          throw new Error(`registering partitions of ${name} failed: ${failed.map((e) => `${e.PartitionValues?.join('/')}: ${e.ErrorDetail?.ErrorMessage}`).join('; ')}`);
        }
        const existing = new Set((res.Errors ?? []).map((e) => e.PartitionValues?.[0]));
        for (const day of days) if (!existing.has(day)) created.push(`${name}/ingest_date=${day}`);
      }
      return created;
    },
  };
}

/**
 * Registers the day of every raw file in the lake (for builds from a machine that also ingests with the
 * CLI, whose commits register nothing). Lists the raw prefixes; one Glue call per table with data.
 */
export async function registerLakePartitions(
  store: { list(prefix: string): Promise<string[]> },
  registrar: PartitionRegistrar,
  tables: readonly string[],
): Promise<string[]> {
  const keys = (await Promise.all(tables.map((t) => store.list(`raw/${t}`)))).flat();
  return registrar.register(keys);
}
