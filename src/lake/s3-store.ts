import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { formatS3Uri, parseS3Uri, type S3Location } from './s3-uri.js';
import { toKey, type LakeStore } from './store.js';

/** A single PUT takes up to 5 GB; batches and marts are far smaller (multipart would add partial states). */
const MAX_SINGLE_PUT = 5 * 1024 ** 3;

function isNotFound(e: unknown): boolean {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404;
}

/**
 * The lake under `s3://bucket/prefix`. S3 makes every PUT atomic per object (a reader sees the old or
 * the new object, never a part), which is the whole LakeStore contract; the commit protocol above it
 * writes data first and the manifest last.
 */
export class S3LakeStore implements LakeStore {
  readonly bucket: string;
  /** Key prefix of the lake root: empty or ending in `/`. */
  readonly prefix: string;

  constructor(
    readonly client: S3Client,
    loc: S3Location,
    /** Keys per list request (S3 caps it at 1000); smaller only to exercise paging. */
    private readonly pageSize = 1000,
  ) {
    this.bucket = loc.bucket;
    this.prefix = loc.prefix;
  }

  /** Opens `s3://bucket/prefix` with the default credential chain and region (AWS_PROFILE, AWS_REGION). */
  static fromUri(uri: string, client: S3Client = new S3Client({})): S3LakeStore {
    return new S3LakeStore(client, parseS3Uri(uri));
  }

  get location(): string {
    return formatS3Uri({ bucket: this.bucket, prefix: this.prefix });
  }

  /** Full S3 URI of a lake key (what Athena `LOCATION`s and `external_location`s name). */
  uriOf(key: string): string {
    return formatS3Uri({ bucket: this.bucket, prefix: this.prefix }, toKey(key));
  }

  objectKey(key: string): string {
    const k = toKey(key);
    if (k.split('/').includes('..')) throw new Error(`lake key escapes the lake: ${key}`);
    return `${this.prefix}${k}`;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return true;
    } catch (e) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const p = toKey(prefix);
    // A folder-like prefix: `raw/invoices` must not match `raw/invoices_old/...`.
    const full = p ? `${this.prefix}${p}/` : this.prefix;
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: full, ContinuationToken: token, MaxKeys: this.pageSize }),
      );
      for (const o of page.Contents ?? []) if (o.Key && !o.Key.endsWith('/')) out.push(o.Key.slice(this.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }

  async readText(key: string): Promise<string | undefined> {
    try {
      const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return await r.Body!.transformToString('utf-8');
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async writeText(key: string, text: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: text,
        ContentType: key.endsWith('.json') ? 'application/json' : 'text/plain; charset=utf-8',
      }),
    );
  }

  async putFile(localPath: string, key: string): Promise<void> {
    const { size } = await stat(localPath);
    if (size > MAX_SINGLE_PUT) throw new Error(`${localPath}: ${size} bytes is over the 5 GB single-object limit`);
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        Body: createReadStream(localPath),
        ContentLength: size,
        ContentType: 'application/octet-stream',
      }),
    );
  }

  async getFile(key: string, localPath: string): Promise<void> {
    const r = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    await pipeline(r.Body as Readable, createWriteStream(localPath));
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  /** Removes every object under a folder-like prefix (delete-then-write of marts); returns the count. */
  async deletePrefix(prefix: string): Promise<number> {
    const keys = await this.list(prefix);
    for (let i = 0; i < keys.length; i += 1000) {
      const chunk = keys.slice(i, i + 1000);
      const r = await this.client.send(
        new DeleteObjectsCommand({
          Bucket: this.bucket,
          Delete: { Objects: chunk.map((k) => ({ Key: this.objectKey(k) })), Quiet: true },
        }),
      );
      if (r.Errors?.length) {
        const first = r.Errors[0]!;
        throw new Error(`could not delete ${r.Errors.length} objects under ${prefix}, e.g. ${first.Key}: ${first.Code} ${first.Message}`);
      }
    }
    return keys.length;
  }
}
