import { CANONICAL_TABLES } from '../schema/index.js';

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** One object a feed was dropped as. */
export interface DroppedObject {
  bucket: string;
  key: string;
  size?: number;
  /** S3's object version or sequencer, for log correlation. */
  etag?: string;
}

interface S3NotificationRecord {
  eventSource?: string;
  eventName?: string;
  s3?: { bucket?: { name?: string }; object?: { key?: string; size?: number; eTag?: string } };
}

interface EventBridgeObjectCreated {
  source?: string;
  'detail-type'?: string;
  detail?: { bucket?: { name?: string }; object?: { key?: string; size?: number; etag?: string } };
}

/**
 * Objects created, from an S3 notification event (keys URL-encoded, `+` for space) or an EventBridge
 * "Object Created" event (keys plain). Other records are ignored.
 */
export function droppedObjects(event: unknown): DroppedObject[] {
  const e = event as { Records?: S3NotificationRecord[] } & EventBridgeObjectCreated;
  if (Array.isArray(e.Records)) {
    return e.Records.filter((r) => r.eventSource === 'aws:s3' && (r.eventName ?? '').startsWith('ObjectCreated'))
      .filter((r) => r.s3?.bucket?.name && r.s3.object?.key)
      .map((r) => ({
        bucket: r.s3!.bucket!.name!,
        key: decodeURIComponent(r.s3!.object!.key!.replace(/\+/g, ' ')),
        size: r.s3!.object!.size,
        etag: r.s3!.object!.eTag,
      }));
  }
  if (e.source === 'aws.s3' && e['detail-type'] === 'Object Created' && e.detail?.bucket?.name && e.detail.object?.key) {
    return [{ bucket: e.detail.bucket.name, key: e.detail.object.key, size: e.detail.object.size, etag: e.detail.object.etag }];
  }
  return [];
}

/** `invoices/2024-05/export.csv` → `invoices`: the landing prefix names the canonical table. */
export function tableOfKey(key: string): string | undefined {
  const first = key.split('/')[0] ?? '';
  return CANONICAL_TABLES.some((t) => t.name === first) ? first : undefined;
}

/** Landing prefixes of the feeds that are not one canonical table (one S3 trigger each). */
export const FEED_DROP_PREFIXES = { mapped: 'mapped/', einvoice: 'einvoices/', creditReport: 'credit-reports/' } as const;

/** Which ingest a dropped object gets, decided by its landing prefix. */
export type DropRoute =
  | { feed: 'table'; table: string }
  | { feed: 'mapped'; preset: string; sheet?: string; snapshotDate?: string }
  | { feed: 'einvoice' }
  | { feed: 'credit-report' };

/**
 * `invoices/…` → canonical table; `mapped/<preset>/…` → that ERP mapping preset (an xlsx sheet
 * other than the preset's or the first in a `sheet=<name>/` folder below it; an open-item snapshot's
 * date in a `YYYY-MM-DD/` folder, else in the file name); `einvoices/…` →
 * e-invoices; `credit-reports/…` → the credit-report feed. Undefined for anything else, and for a
 * mapped drop without a preset folder (the preset name is checked against the shipped presets later).
 */
export function routeOfKey(key: string): DropRoute | undefined {
  if (key.endsWith('/')) return undefined;
  const parts = key.split('/');
  const table = tableOfKey(key);
  if (table) return { feed: 'table', table };
  if (key.startsWith(FEED_DROP_PREFIXES.einvoice)) return { feed: 'einvoice' };
  if (key.startsWith(FEED_DROP_PREFIXES.creditReport)) return { feed: 'credit-report' };
  if (key.startsWith(FEED_DROP_PREFIXES.mapped) && parts.length >= 3 && parts[1]) {
    const sheet = parts.length >= 4 && parts[2]!.startsWith('sheet=') ? parts[2]!.slice('sheet='.length) : undefined;
    // An open-item snapshot's date may be a folder (mapped/<preset>/2024-02-16/export.csv), as --as-of.
    const snapshotDate = parts.slice(2, -1).map((p) => (ISO_DAY.test(p) ? p : undefined)).find(Boolean);
    return { feed: 'mapped', preset: parts[1], ...(sheet ? { sheet } : {}), ...(snapshotDate ? { snapshotDate } : {}) };
  }
  return undefined;
}
