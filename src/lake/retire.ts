import { lakePaths } from './layout.js';
import { listManifests } from './commit-batch.js';
import type { BatchManifest } from './manifest.js';
import { toKey, type LakeStore } from './store.js';

/**
 * Retiring a batch takes it out of the warehouse without deleting anything: its manifest, data and
 * quarantine stay where they are (so re-ingesting the same file is still recognised), and a record
 * under retired/<table>/ tells readers (committedDataKeys) to skip it. Restoring removes the
 * record. Every retire and restore also writes an operation record, so the lake keeps its history.
 */
export interface RetireRecord {
  batch_id: string;
  table: string;
  sha256: string;
  retired_at: string;
  reason: string | null;
}

export interface OperationRecord {
  op: 'retire' | 'restore';
  batch_id: string;
  table: string;
  sha256: string;
  at: string;
  reason: string | null;
  user: string | null;
}

const retiredKey = (table: string, sha256: string) => toKey(lakePaths.retiredFile(table, sha256));

/** Content hashes of the retired batches of a table, with their records. */
export async function retiredBatches(store: LakeStore, table: string): Promise<Map<string, RetireRecord>> {
  const out = new Map<string, RetireRecord>();
  for (const key of await store.list(toKey(lakePaths.retiredDir(table)))) {
    if (!key.endsWith('.json')) continue;
    const text = await store.readText(key);
    if (text === undefined) continue;
    const record = JSON.parse(text) as RetireRecord;
    out.set(record.sha256, record);
  }
  return out;
}

export interface BatchStatus extends BatchManifest {
  retired: RetireRecord | null;
}

/** Every batch of the given tables, oldest first, with its retirement (if any). */
export async function listBatches(store: LakeStore, tables: readonly string[]): Promise<BatchStatus[]> {
  const out: BatchStatus[] = [];
  for (const table of tables) {
    const retired = await retiredBatches(store, table);
    for (const m of await listManifests(store, table)) out.push({ ...m, retired: retired.get(m.sha256) ?? null });
  }
  return out.sort((a, b) => a.batch_id.localeCompare(b.batch_id) || a.table.localeCompare(b.table));
}

/** The batch with this id (or a unique prefix of at least 8 characters of it or of its hash). */
export function findBatch<B extends BatchManifest>(batches: readonly B[], id: string): B[] {
  const exact = batches.filter((b) => b.batch_id === id);
  if (exact.length || id.length < 8) return exact;
  return batches.filter((b) => b.batch_id.startsWith(id) || b.sha256.startsWith(id));
}

async function record(store: LakeStore, op: OperationRecord['op'], m: BatchManifest, at: Date, reason: string | null, user: string | null): Promise<void> {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.(\d+)Z$/, '$1Z');
  const rec: OperationRecord = { op, batch_id: m.batch_id, table: m.table, sha256: m.sha256, at: at.toISOString(), reason, user };
  await store.writeText(toKey(lakePaths.operationFile(stamp, op, m.batch_id)), `${JSON.stringify(rec, null, 2)}\n`);
}

export async function retireBatch(store: LakeStore, m: BatchManifest, opts: { now?: Date; reason?: string; user?: string } = {}): Promise<RetireRecord> {
  const at = opts.now ?? new Date();
  const rec: RetireRecord = { batch_id: m.batch_id, table: m.table, sha256: m.sha256, retired_at: at.toISOString(), reason: opts.reason ?? null };
  await record(store, 'retire', m, at, rec.reason, opts.user ?? null);
  await store.writeText(retiredKey(m.table, m.sha256), `${JSON.stringify(rec, null, 2)}\n`);
  return rec;
}

export async function restoreBatch(store: LakeStore, m: BatchManifest, opts: { now?: Date; reason?: string; user?: string } = {}): Promise<void> {
  await record(store, 'restore', m, opts.now ?? new Date(), opts.reason ?? null, opts.user ?? null);
  await store.delete(retiredKey(m.table, m.sha256));
}

/** Every operation record, oldest first. */
export async function listOperations(store: LakeStore): Promise<OperationRecord[]> {
  const out: OperationRecord[] = [];
  for (const key of await store.list(toKey(lakePaths.operationsDir()))) {
    const text = key.endsWith('.json') ? await store.readText(key) : undefined;
    if (text !== undefined) out.push(JSON.parse(text) as OperationRecord);
  }
  return out;
}
