/** `s3://bucket/prefix` split into bucket and a key prefix that is empty or ends in `/`. */
export interface S3Location {
  bucket: string;
  prefix: string;
}

export function isS3Uri(uri: string): boolean {
  return uri.startsWith('s3://');
}

export function parseS3Uri(uri: string): S3Location {
  const m = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!m) throw new Error(`not an S3 location (expected s3://bucket/prefix): ${uri}`);
  const prefix = (m[2] ?? '').split('/').filter(Boolean).join('/');
  return { bucket: m[1]!, prefix: prefix ? `${prefix}/` : '' };
}

export function formatS3Uri(loc: S3Location, key = ''): string {
  return `s3://${loc.bucket}/${loc.prefix}${key}`;
}
