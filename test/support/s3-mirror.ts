/**
 * A local copy of S3 buckets for the Athena stand-in (athena-on-trino.ts): Trino's catalog reads a
 * local file system, not s3rver, so every bucket a statement or Glue table names is mirrored into a
 * folder before each statement, and what a statement wrote is uploaded back right after it. S3 stays
 * the truth: an object deleted there is gone from the mirror at the next pull.
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

export class S3Mirror {
  /** Buckets mirrored (named by a statement or a Glue table). */
  private readonly buckets = new Set<string>();
  /** `<bucket>/<key>` → ETag of the copy. */
  private readonly index = new Map<string, string>();

  constructor(
    private readonly s3: S3Client,
    readonly mirrorDir: string,
  ) {}

  /** A bucket's mirror as Trino names it (`local:///…/<bucket>/`); the bucket is mirrored from now on. */
  uri = (bucket: string): string => {
    this.buckets.add(bucket);
    return `${this.localUri(join(this.mirrorDir, bucket))}/`;
  };

  /** Mirror locations in Trino's text (results, errors) back to s3://. */
  toS3(text: string): string {
    const root = `${this.localUri(this.mirrorDir)}/`;
    return text.includes(root) ? text.split(root).join('s3://') : text;
  }

  private async listBucket(bucket: string): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let token: string | undefined;
    do {
      const page = await this.s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }));
      for (const o of page.Contents ?? []) out.set(o.Key!, o.ETag ?? '');
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  /** S3 → mirror: new and changed objects copied, deleted ones removed. */
  async pull(): Promise<void> {
    for (const bucket of this.buckets) {
      const objects = await this.listBucket(bucket);
      for (const [key, etag] of objects) {
        const id = `${bucket}/${key}`;
        if (this.index.get(id) === etag) continue;
        const file = join(this.mirrorDir, bucket, key);
        const body = await (await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray();
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, body);
        this.index.set(id, etag);
      }
      for (const id of [...this.index.keys()].filter((k) => k.startsWith(`${bucket}/`))) {
        if (objects.has(id.slice(bucket.length + 1))) continue;
        rmSync(join(this.mirrorDir, id), { force: true });
        this.index.delete(id);
      }
    }
  }

  /** Mirror → S3: files a statement wrote (not in the index yet) are uploaded. */
  async push(): Promise<void> {
    for (const bucket of this.buckets) {
      const root = join(this.mirrorDir, bucket);
      for (const file of walk(root)) {
        const key = relative(root, file).split(sep).join('/');
        if (key.split('/').some((part) => part.startsWith('.'))) continue;
        const id = `${bucket}/${key}`;
        if (this.index.has(id)) continue;
        const put = await this.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(file) }));
        this.index.set(id, put.ETag ?? '');
      }
    }
  }

  /** The mirror folder of an s3:// location; its bucket is mirrored from now on. */
  localDir(location: string): string {
    const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
    if (!m) throw new Error(`AthenaOnTrino: not an S3 location: ${location}`);
    this.buckets.add(m[1]!);
    return join(this.mirrorDir, m[1]!, m[2]!);
  }

  /** A local folder as Trino names it. */
  localUri(dir: string): string {
    return `local://${dir.split(sep).join('/')}`;
  }

  /** Removes a folder that holds no file: an empty folder is no object on S3, so it must not exist here either. */
  removeIfEmpty(dir: string): void {
    if (existsSync(dir) && !walk(dir).length) rmSync(dir, { recursive: true, force: true });
  }

  remove(): void {
    rmSync(this.mirrorDir, { recursive: true, force: true });
  }
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

