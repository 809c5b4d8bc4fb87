import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { extname } from 'node:path';
import type { SiteFile } from './web-gate.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export const contentTypeOf = (key: string) => TYPES[extname(key).toLowerCase()] ?? 'application/octet-stream';

/**
 * The dashboards bundle as the gate serves it, read from the private site bucket the deployment fills.
 * Files are kept in memory for `ttlMs` (the bundle is small and changes only on deploy); a missing key
 * is remembered too, so probing paths cannot turn into one S3 request each.
 */
export function s3SiteFiles(s3: S3Client, bucket: string, opts: { ttlMs?: number; now?: () => number } = {}) {
  const ttl = opts.ttlMs ?? 5 * 60_000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; file: SiteFile | undefined }>();
  return async (key: string): Promise<SiteFile | undefined> => {
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttl) return hit.file;
    let file: SiteFile | undefined;
    try {
      const res = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      file = { body: Buffer.from(await res.Body!.transformToByteArray()), contentType: contentTypeOf(key) };
    } catch (e) {
      if (!(e instanceof NoSuchKey) && (e as { name?: string }).name !== 'NoSuchKey') throw e;
    }
    if (cache.size > 200) cache.clear();
    cache.set(key, { at: now(), file });
    return file;
  };
}
