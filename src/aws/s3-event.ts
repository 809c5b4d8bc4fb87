import { CANONICAL_TABLES } from '../schema/index.js';

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
