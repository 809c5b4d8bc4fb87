/**
 * The IAM rights of the pipeline's roles on the lake and on Athena/Glue, least privilege: per lake
 * prefix what each role may read, write and delete, and what running the build's statements takes.
 */
import type { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { BUILD_LOCK_KEY } from '../../src/aws/build-lock.js';

/**
 * Reading the Glue catalog as Athena does to plan a query: the database, its tables and partitions
 * (information_schema, which the dashboards' and the build's catalog reads use, lists databases).
 */
export const GLUE_READ_ACTIONS = [
  'glue:GetDatabase',
  'glue:GetDatabases',
  'glue:GetTable',
  'glue:GetTables',
  'glue:GetPartition',
  'glue:GetPartitions',
  'glue:BatchGetPartition',
];

/** Every object of a bucket. */
export const objects = (b: s3.IBucket) => b.arnForObjects('*');

/** What a role may do under each lake prefix: read, write (put), delete. */
export type LakeAccess = Record<string, { read?: boolean; write?: boolean; delete?: boolean }>;

/**
 * The ingest commits batches: data, quarantine and the manifest that commits them; it deletes only
 * orphans of an interrupted attempt at the same file (raw/, quarantine/), never a manifest, and reads
 * the lake's committed credit reports for identity matching. It never touches marts/.
 */
export const INGEST_LAKE_ACCESS: LakeAccess = {
  'raw/': { read: true, write: true, delete: true },
  'quarantine/': { read: true, write: true, delete: true },
  'manifests/': { read: true, write: true },
};

/**
 * The build reads the raw data, manifests and retire records (Athena scans with the caller's credentials) and writes
 * only marts/ (CTAS output, the build marker); it cannot alter or delete a committed batch.
 */
export const BUILD_LAKE_ACCESS: LakeAccess = {
  'raw/': { read: true },
  'manifests/': { read: true },
  // Athena reads the commit and retire records to scan committed batches only.
  'retired/': { read: true },
  'marts/': { read: true, write: true, delete: true },
};

/**
 * Compaction rewrites a table's small raw files into one and commits it with a manifest: it writes
 * raw/ and manifests/ (deleting only orphans of its own interrupted attempt under raw/), reads the
 * retire records, and holds the lake's build lock — that one object under marts/, nothing else there.
 */
export const COMPACT_LAKE_ACCESS: LakeAccess = {
  'raw/': { read: true, write: true, delete: true },
  'manifests/': { read: true, write: true },
  'retired/': { read: true },
  [BUILD_LOCK_KEY]: { read: true, write: true, delete: true },
};

/**
 * Object rights per prefix (a key not ending in `/` is that one object). Listing is granted on the whole bucket: S3 answers a read of a missing key
 * with 404 only to a caller allowed s3:ListBucket without conditions (a prefix condition does not apply
 * to GetObject/HeadObject), and the commit protocol tells "not there yet" from "forbidden" by that.
 * Key names are all it reveals.
 */
export function grantLakePrefixes(role: iam.IRole, lake: s3.IBucket, access: LakeAccess): void {
  const prefixes = Object.keys(access);
  const on = (pred: (a: LakeAccess[string]) => boolean | undefined) =>
    prefixes.filter((p) => pred(access[p]!)).map((p) => lake.arnForObjects(p.endsWith('/') ? `${p}*` : p));
  const reads = on((a) => a.read);
  const writes = on((a) => a.write);
  const deletes = on((a) => a.delete);
  if (reads.length) role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'LakeRead', actions: ['s3:GetObject'], resources: reads }));
  if (writes.length) {
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'LakeWrite', actions: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'], resources: writes }),
    );
  }
  if (deletes.length) role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'LakeDelete', actions: ['s3:DeleteObject'], resources: deletes }));
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ sid: 'LakeBucket', actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'], resources: [lake.bucketArn] }),
  );
}

/**
 * What running the build's statements takes (Athena runs a query with its caller's credentials): the
 * queries in the workgroup, the Glue tables of the database (CTAS creates a temporary table, publishing
 * points a mart's table at its new version), the lake as BUILD_LAKE_ACCESS, the query results.
 */
export function grantBuildQueries(role: iam.IRole, p: { stack: Stack; workgroupName: string; databaseName: string; lakeBucket: s3.IBucket; resultsBucket: s3.IBucket }): void {
  const { stack } = p;
  const glueArn = (resource: string) => `arn:${stack.partition}:glue:${stack.region}:${stack.account}:${resource}`;
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'RunAthenaQueries',
      actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
      resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: p.workgroupName })],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ReadDataCatalog',
      actions: ['athena:GetDataCatalog'],
      resources: [stack.formatArn({ service: 'athena', resource: 'datacatalog', resourceName: 'AwsDataCatalog' })],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'ManageCatalog',
      actions: [
        ...GLUE_READ_ACTIONS,
        'glue:CreateTable',
        'glue:UpdateTable',
        'glue:DeleteTable',
        'glue:CreatePartition',
        'glue:BatchCreatePartition',
      ],
      resources: [glueArn('catalog'), glueArn(`database/${p.databaseName}`), glueArn(`table/${p.databaseName}/*`)],
    }),
  );
  grantLakePrefixes(role, p.lakeBucket, BUILD_LAKE_ACCESS);
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'QueryResults',
      actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      resources: [objects(p.resultsBucket)],
    }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'QueryResultsBucket',
      actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
      resources: [p.resultsBucket.bucketArn],
    }),
  );
}
