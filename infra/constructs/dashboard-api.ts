import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { handlerCode } from '../lambda-code.js';
import { GLUE_READ_ACTIONS } from './lake-access.js';
import { acknowledge, acknowledgeScopedResourceWildcards } from '../nag.js';
import type { Settings } from '../settings.js';

export interface DashboardApiProps {
  settings: Settings;
  lakeBucket: s3.IBucket;
  resultsBucket: s3.IBucket;
  /** Key prefix the workgroup writes query results under (its enforced output location). */
  resultsPrefix: string;
  workgroupName: string;
  databaseName: string;
  /** The private bucket holding the dashboards bundle, which the gate serves to signed-in users. */
  siteBucket: s3.IBucket;
  /** SSM parameter with the sign-in settings (see DashboardSignIn); by name, to avoid a reference cycle. */
  authParameterName: string;
  /** The project config (CREDITLAKE_CONFIG): reporting currency and the KPI settings the slices show. */
  configJson: string;
}

const NODE_RUNTIMES = { 20: lambda.Runtime.NODEJS_20_X, 22: lambda.Runtime.NODEJS_22_X, 24: lambda.Runtime.NODEJS_24_X };

/**
 * Lake prefixes the dashboards read: the marts, nothing else. Athena reads S3 with the caller's
 * rights, and a view over a canonical table (`customers`) would read that table's raw files,
 * manifests and retire records; the slices read customers from the `dim_customers` mart instead,
 * so the role needs no raw data (test/unit/dashboard-read-prefixes.test.ts fails when a slice or
 * the catalog reads anything but a mart).
 */
export const DASHBOARD_READ_PREFIXES: readonly string[] = ['marts/'];

/** Query verbs of the API role: it reads through Athena, nothing else. */
export const DASHBOARD_ATHENA_ACTIONS = [
  'athena:StartQueryExecution',
  'athena:GetQueryExecution',
  'athena:GetQueryResults',
  // The engine stops a query that outlives its timeout, so it does not keep scanning for no one.
  'athena:StopQueryExecution',
];

// Read only; information_schema's database list is the fallback when a build recorded no catalog.
export const DASHBOARD_GLUE_ACTIONS = GLUE_READ_ACTIONS;

/**
 * The dashboards on AWS behind one Lambda: the sign-in gate (every path), the bundle from the private
 * site bucket and the read-only slices answered by Athena. Its function URL only CloudFront can call
 * (AWS_IAM auth, signed by origin access control); reserved concurrency keeps page traffic from taking
 * the account's concurrency (and Athena's query slots) from the build.
 */
export class DashboardApi extends Construct {
  readonly function: lambda.Function;
  readonly functionUrl: lambda.FunctionUrl;

  constructor(scope: Construct, id: string, props: DashboardApiProps) {
    super(scope, id);
    const s = props.settings;
    const stack = Stack.of(this);
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: s.logRetentionDays as logs.RetentionDays });
    const role = new iam.Role(this, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'RunAthenaQueries',
        actions: DASHBOARD_ATHENA_ACTIONS,
        resources: [stack.formatArn({ service: 'athena', resource: 'workgroup', resourceName: props.workgroupName })],
      }),
    );
    const glueArn = (resource: string) => `arn:${stack.partition}:glue:${stack.region}:${stack.account}:${resource}`;
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadCatalog',
        actions: DASHBOARD_GLUE_ACTIONS,
        resources: [glueArn('catalog'), glueArn(`database/${props.databaseName}`), glueArn(`table/${props.databaseName}/*`)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadLake',
        actions: ['s3:GetObject'],
        resources: DASHBOARD_READ_PREFIXES.map((p) => props.lakeBucket.arnForObjects(`${p}*`)),
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ListLake',
        actions: ['s3:ListBucket'],
        resources: [props.lakeBucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': DASHBOARD_READ_PREFIXES.flatMap((p) => [p, `${p}*`]) } },
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'LakeBucketLocation', actions: ['s3:GetBucketLocation'], resources: [props.lakeBucket.bucketArn] }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadSiteBundle', actions: ['s3:GetObject'], resources: [props.siteBucket.arnForObjects('*')] }),
    );
    // ListBucket turns a missing bundle file into 404 (NoSuchKey) instead of 403.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ListSiteBundle', actions: ['s3:ListBucket'], resources: [props.siteBucket.bucketArn] }));
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadSignInSettings',
        actions: ['ssm:GetParameter'],
        resources: [stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: props.authParameterName.replace(/^\//, '') })],
      }),
    );
    // Athena writes and reads query results with the caller's credentials, under the workgroup's prefix.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'QueryResults',
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [props.resultsBucket.arnForObjects(`${props.resultsPrefix}*`)],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'QueryResultsBucket',
        actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
        resources: [props.resultsBucket.bucketArn],
      }),
    );

    this.function = new lambda.Function(this, 'Function', {
      description: 'Creditlake dashboards: read-only slices answered by Athena',
      runtime: NODE_RUNTIMES[s.nodeRuntime],
      architecture: lambda.Architecture.X86_64,
      handler: 'index.handler',
      code: handlerCode('functions/dashboard-api.ts', s.lambdaCode),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      memorySize: s.dashboardApiMemoryMb,
      reservedConcurrentExecutions: s.dashboardApiReservedConcurrency || undefined,
      timeout: Duration.seconds(s.dashboardApiTimeoutSeconds),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        LAKE_URI: `s3://${props.lakeBucket.bucketName}/`,
        ATHENA_WORKGROUP: props.workgroupName,
        GLUE_DATABASE: props.databaseName,
        SITE_BUCKET: props.siteBucket.bucketName,
        AUTH_PARAMETER: props.authParameterName,
        CREDITLAKE_CONFIG: props.configJson,
        // Leaves the handler time to answer 500 (and stop the query) before the function is cut off.
        QUERY_TIMEOUT_MS: String((s.dashboardApiTimeoutSeconds - 3) * 1000),
      },
    });
    this.functionUrl = this.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });

    const runtimeReason = `Node.js ${s.nodeRuntime} is an LTS runtime the project's code supports (engines >=20); choose another with context nodeRuntime.`;
    if (s.nodeRuntime !== 24) {
      acknowledge(this.function, { id: 'AwsSolutions-L1', reason: runtimeReason }, { id: 'CloudFormation-Validate::W2531', reason: runtimeReason });
    }
    acknowledgeScopedResourceWildcards(
      role,
      'Object reads are scoped to the marts/ prefix of the lake and the dashboards bundle, result objects to the workgroup prefix and Glue reads ' +
        'to the tables of one database: object keys and mart tables appear at run time; every action is named and read-only ' +
        'except writing query results.',
    );
  }
}
