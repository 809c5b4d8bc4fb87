import {
  DeleteObjectCommand,
  HeadObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type DeleteObjectCommandInput,
  type GetObjectCommandInput,
  type ListObjectsV2CommandInput,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import type { AwsClientStub } from 'aws-sdk-client-mock';
import type { S3Client } from '@aws-sdk/client-s3';

/**
 * An in-memory S3 bucket behind a mocked client that honours conditional writes as S3 does
 * (If-None-Match: * fails with 412 when the key exists, If-Match: <etag> fails with 412 when it changed);
 * s3rver ignores both headers, so lock tests run against this.
 */
export function conditionalS3(mock: AwsClientStub<S3Client>) {
  const objects = new Map<string, { body: string; etag: string }>();
  let version = 0;
  const key = (b?: string, k?: string) => `${b}/${k}`;
  const failed = (code: number, name: string) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: code } });
  mock.on(PutObjectCommand).callsFake(async (i: PutObjectCommandInput) => {
    const k = key(i.Bucket, i.Key);
    const cur = objects.get(k);
    if (i.IfNoneMatch === '*' && cur) throw failed(412, 'PreconditionFailed');
    if (i.IfMatch && cur?.etag !== i.IfMatch) throw failed(412, 'PreconditionFailed');
    const etag = `"v${++version}"`;
    objects.set(k, { body: String(i.Body), etag });
    return { ETag: etag };
  });
  mock.on(GetObjectCommand).callsFake(async (i: GetObjectCommandInput) => {
    const o = objects.get(key(i.Bucket, i.Key));
    if (!o) throw failed(404, 'NoSuchKey');
    return { ETag: o.etag, Body: { transformToString: async () => o.body } as never };
  });
  mock.on(DeleteObjectCommand).callsFake(async (i: DeleteObjectCommandInput) => {
    objects.delete(key(i.Bucket, i.Key));
    return {};
  });
  mock.on(ListObjectsV2Command).callsFake(async (i: ListObjectsV2CommandInput) => ({
    Contents: [...objects.keys()].filter((k) => k.startsWith(key(i.Bucket, i.Prefix ?? ''))).map((k) => ({ Key: k.slice(`${i.Bucket}/`.length) })),
    IsTruncated: false,
  }));
  return {
    objects,
    put: (bucket: string, k: string, body: string) => objects.set(key(bucket, k), { body, etag: `"v${++version}"` }),
    get: (bucket: string, k: string) => objects.get(key(bucket, k))?.body,
  };
}

/**
 * An S3 lake store over s3rver whose conditional puts (If-None-Match / If-Match, the build lock's)
 * are checked here first, since s3rver ignores them: one test process, one writer at a time, so a
 * check before the put is as good as S3's own.
 */
export function withConditionalPuts<T extends { client: { send(cmd: never): Promise<unknown> }; bucket: string }>(store: T): T {
  const client = store.client as unknown as S3Client;
  const send = async (cmd: { input: { Key?: string; IfNoneMatch?: string; IfMatch?: string } }) => {
    if (cmd instanceof PutObjectCommand && (cmd.input.IfNoneMatch || cmd.input.IfMatch)) {
      const head = await client.send(new HeadObjectCommand({ Bucket: store.bucket, Key: cmd.input.Key! })).catch(() => undefined);
      if ((cmd.input.IfNoneMatch && head) || (cmd.input.IfMatch && head?.ETag !== cmd.input.IfMatch)) {
        throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } });
      }
    }
    return client.send(cmd as never);
  };
  return Object.assign(Object.create(store) as T, { client: { send } });
}
