import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

interface S3rverObject {
  bucket: string;
  key: string;
  content: Buffer | NodeJS.ReadableStream;
  metadata: Record<string, string>;
}
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, kind: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
}
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  store: FilesystemStore;
}
type S3rverCtor = new (opts: Record<string, unknown>) => S3rverInstance;

/** A real S3-protocol server (s3rver, file-backed) on 127.0.0.1 with a random port, inside the test process. */
export interface TestS3 {
  client: S3Client;
  endpoint: string;
  createBucket(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startTestS3(): Promise<TestS3> {
  const S3rver = createRequire(import.meta.url)('s3rver') as S3rverCtor;
  const directory = mkdtempSync(join(tmpdir(), 'creditlake-s3rver-'));
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, vhostBuckets: false });
  atomicPuts(server.store);
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint,
    region: 'eu-west-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    // s3rver predates the SDK's default CRC32 checksums on every PUT.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    client,
    endpoint,
    createBucket: async (name) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
    },
    close: async () => {
      client.destroy();
      await server.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/**
 * s3rver's PutObject is not what S3 does: it opens the object file with truncation and answers the
 * PUT once its input is consumed, not once the file is written. A GET during an overwrite, or right
 * after the PUT's answer on a loaded machine, then reads an empty or partial object (S3 serves the old
 * or the new object whole, and reads after a PUT see it: strong read-after-write consistency). This
 * was the intermittent "build … has no state in the lake" of the AWS pipeline e2e: a step read the
 * build state that the previous step had just rewritten and got an empty body. Here a PUT writes a
 * temporary file in full, then renames it over the object (atomic on one file system) before it answers.
 */
function atomicPuts(store: FilesystemStore): void {
  store.putObject = async (object) => {
    const chunks: Buffer[] = [];
    if (Buffer.isBuffer(object.content)) chunks.push(object.content);
    else for await (const c of object.content as AsyncIterable<Buffer | string>) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
    const body = Buffer.concat(chunks);
    const md5 = createHash('md5').update(body).digest('hex');
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.inflight-${process.pid}-${randomBytes(6).toString('hex')}`;
    await writeFile(tmp, body);
    // Metadata first: a reader between the two sees the old bytes with the new ETag, never torn bytes.
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    await rename(tmp, path);
    return { size: body.length, md5 };
  };
}
