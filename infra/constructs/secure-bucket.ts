import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledge } from '../nag.js';
import type { Construct } from 'constructs';

export interface SecureBucketProps {
  /** Where S3 server access logs go; only the log bucket itself has none. */
  accessLogs?: s3.IBucket;
  versioned?: boolean;
  lifecycleRules?: s3.LifecycleRule[];
  /** CloudFront standard logs still need ACLs; every other bucket enforces bucket-owner only. */
  objectOwnership?: s3.ObjectOwnership;
  eventBridgeEnabled?: boolean;
}

/** Every upload that never completes is cleaned up after a week, on every bucket. */
export const ABORT_INCOMPLETE_UPLOADS: s3.LifecycleRule = {
  id: 'abort-incomplete-uploads',
  abortIncompleteMultipartUploadAfter: Duration.days(7),
};

/**
 * A private, encrypted (SSE-S3), TLS-only bucket. Retained on stack deletion: the lake and the feeds
 * are the customer's ledger, never collateral of a `cdk destroy`.
 */
export function secureBucket(scope: Construct, id: string, props: SecureBucketProps): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    versioned: props.versioned ?? false,
    objectOwnership: props.objectOwnership ?? s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [ABORT_INCOMPLETE_UPLOADS, ...(props.lifecycleRules ?? [])],
    serverAccessLogsBucket: props.accessLogs,
    serverAccessLogsPrefix: props.accessLogs ? `${id.toLowerCase()}/` : undefined,
    eventBridgeEnabled: props.eventBridgeEnabled,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  if (!props.accessLogs) {
    acknowledge(bucket, {
      id: 'AwsSolutions-S1',
      reason: 'This is the access-log bucket itself; logging it into itself would loop.',
    });
  }
  return bucket;
}
