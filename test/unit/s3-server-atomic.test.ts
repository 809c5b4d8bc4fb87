import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestS3, type TestS3 } from '../support/s3-server.js';

/**
 * The S3 stand-in must serve an object whole, old or new, during and right after an overwrite, as S3
 * does: stock s3rver truncated the object and answered the PUT before writing it, which made the AWS
 * pipeline e2e fail now and then with "build … has no state in the lake" (an empty read of a state
 * object a step had just rewritten). See atomicPuts in ../support/s3-server.ts.
 */
let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
  await s3.createBucket('atomic-puts');
});
afterAll(() => s3?.close());

const put = (body: string) => s3.client.send(new PutObjectCommand({ Bucket: 'atomic-puts', Key: 'state.json', Body: body }));
const get = async () => (await s3.client.send(new GetObjectCommand({ Bucket: 'atomic-puts', Key: 'state.json' }))).Body!.transformToString();

it('reads during an overwrite see the old or the new object whole, and a read after the PUT sees the new one', async () => {
  const versions = Array.from({ length: 12 }, (_, i) => `${i}:`.padEnd(2_000_000 + i, String.fromCharCode(97 + i)));
  await put(versions[0]!);
  const seen: string[] = [];
  for (const [i, v] of versions.entries()) {
    if (i === 0) continue;
    const reads = Array.from({ length: 6 }, (_, k) => new Promise<void>((r) => setTimeout(r, k)).then(get));
    await put(v);
    seen.push(...(await Promise.all(reads)));
    expect(await get()).toBe(v);
  }
  const torn = seen.filter((s) => !versions.includes(s)).map((s) => `${s.length} bytes`);
  expect(torn, 'reads that saw a torn object').toEqual([]);
}, 60_000);
