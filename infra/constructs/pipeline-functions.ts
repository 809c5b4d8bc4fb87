import { ArnFormat, Duration, Size, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { acknowledge, acknowledgeScopedResourceWildcards, acknowledgeStateMachineRole } from '../nag.js';
import { Construct } from 'constructs';
import { FEED_DROP_PREFIXES } from '../../src/aws/s3-event.js';
import { CANONICAL_TABLES } from '../../src/schema/index.js';
import { rawTableName } from '../catalog-tables.js';
import { handlerCode, type CopyDir } from '../lambda-code.js';
import { BuildOrchestration, stateMachineArn } from './build-orchestration.js';
import { COMPACT_LAKE_ACCESS, INGEST_LAKE_ACCESS, grantBuildQueries, grantLakePrefixes, objects } from './lake-access.js';
import type { Settings } from '../settings.js';

export interface PipelineFunctionsProps {
  settings: Settings;
  landingBucket: s3.IBucket;
  lakeBucket: s3.IBucket;
  resultsBucket: s3.IBucket;
  /**
   * Landing key prefixes of the canonical tables (e.g. `invoices/`), one S3 trigger each; the other
   * feeds' prefixes (`mapped/`, `einvoices/`, `credit-reports/`) are added here, beside the handler that routes them.
   */
  feedPrefixes: readonly string[];
  workgroupName: string;
  databaseName: string;
  /** The project config (CREDITLAKE_CONFIG), validated at synth. */
  configJson: string;
}

/** The one-time schedule each committed batch moves on (see src/aws/build-request.ts). */
export const BUILD_AFTER_INGEST_SCHEDULE = 'build-after-ingest';

const NODE_RUNTIMES = { 20: lambda.Runtime.NODEJS_20_X, 22: lambda.Runtime.NODEJS_22_X, 24: lambda.Runtime.NODEJS_24_X };

/** Data files the ingest reads beside its code (mapping presets, e-invoice mapping, SBI codes); see lambda-code.ts. */
export const INGEST_FILES: readonly CopyDir[] = [
  { from: 'src/feeds/mapping/presets', to: 'presets' },
  { from: 'src/feeds/ubl/einvoice-mapping.json', to: 'einvoice-mapping.json' },
  { from: 'src/reference/sbi', to: 'sbi' },
];

/**
 * Ingest Lambda (S3 object created → Parquet in the lake) and the build: a state machine started on a
 * schedule and, debounced, after committed ingests, one build at a time through the lake's lock.
 */
export class PipelineFunctions extends Construct {
  readonly ingestFunction: lambda.Function;
  readonly buildStepFunction: lambda.Function;
  readonly orchestration: BuildOrchestration;
  readonly buildStateMachineArn: string;
  readonly ingestDeadLetterQueue: sqs.Queue;
  readonly scheduleRule: events.Rule;
  readonly compactFunction: lambda.Function;
  readonly compactRule: events.Rule;
  readonly scheduleGroup: scheduler.CfnScheduleGroup;
  readonly schedulerRole: iam.Role;
  private readonly settings: Settings;

  constructor(scope: Construct, id: string, props: PipelineFunctionsProps) {
    super(scope, id);
    this.settings = props.settings;
    const s = props.settings;
    const stack = Stack.of(this);

    this.ingestDeadLetterQueue = this.queue('IngestDeadLetterQueue', { retentionPeriod: Duration.days(14) });
    acknowledge(this.ingestDeadLetterQueue, { id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue.' });

    // Debounced builds after ingest: EventBridge Scheduler sends to the build queue with this role.
    this.scheduleGroup = new scheduler.CfnScheduleGroup(this, 'BuildSchedules', { name: s.prefix });
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: 'EventBridge Scheduler: starts the debounced build (an execution of the build state machine)',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
    });
    const scheduleArn = stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${s.prefix}/${BUILD_AFTER_INGEST_SCHEDULE}` });

    const lakeUri = `s3://${props.lakeBucket.bucketName}/`;
    this.ingestFunction = this.fn('Ingest', {
      entry: 'functions/ingest.ts',
      copyDirs: INGEST_FILES,
      memorySize: s.ingestMemoryMb,
      timeout: Duration.seconds(s.ingestTimeoutSeconds),
      ephemeralStorageSize: Size.mebibytes(s.ingestEphemeralMb),
      environment: {
        LAKE_URI: lakeUri,
        BUILD_SCHEDULE_GROUP: s.prefix,
        BUILD_SCHEDULE_NAME: BUILD_AFTER_INGEST_SCHEDULE,
        BUILD_TARGET_ARN: stateMachineArn(this, `${s.prefix}-build`),
        BUILD_SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
        BUILD_QUIET_MINUTES: String(s.buildQuietMinutes),
        BUILD_MAX_WAIT_MINUTES: String(s.buildMaxWaitMinutes),
        MAX_REJECT_RATE: String(s.ingestMaxRejectRate),
        GLUE_DATABASE: props.databaseName,
        // The ingest checks dates against the deployed plausible_dates, as the CLI does locally.
        CREDITLAKE_CONFIG: props.configJson,
      },
      deadLetterQueue: this.ingestDeadLetterQueue,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
    });
    const ingestRole = this.ingestFunction.role!;
    ingestRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'ReadFeeds', actions: ['s3:GetObject'], resources: [objects(props.landingBucket)] }),
    );
    grantLakePrefixes(ingestRole, props.lakeBucket, INGEST_LAKE_ACCESS);
    const glueArn = (resource: string) => `arn:${stack.partition}:glue:${stack.region}:${stack.account}:${resource}`;
    const registerPartitions = () =>
      new iam.PolicyStatement({
        sid: 'RegisterPartitions',
        actions: ['glue:GetTable', 'glue:BatchCreatePartition'],
        // Each raw table by name: neither the ingest nor compaction touches a mart's catalog entry.
        resources: [
          glueArn('catalog'),
          glueArn(`database/${props.databaseName}`),
          ...CANONICAL_TABLES.map((t) => glueArn(`table/${props.databaseName}/${rawTableName(t.name)}`)),
        ],
      });
    ingestRole.addToPrincipalPolicy(registerPartitions());
    ingestRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DebounceBuild',
        actions: ['scheduler:GetSchedule', 'scheduler:CreateSchedule', 'scheduler:UpdateSchedule'],
        resources: [scheduleArn],
      }),
    );
    ingestRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'PassSchedulerRole',
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    for (const prefix of [...props.feedPrefixes, ...Object.values(FEED_DROP_PREFIXES)]) {
      props.landingBucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(this.ingestFunction), {
        prefix,
      });
    }
    // CDK's singleton that writes the bucket notification configuration (a deploy-time custom resource).
    const notifier = stack.node.tryFindChild('BucketNotificationsHandler050a0587b7544547bf325f094a3db834');
    if (notifier) {
      acknowledge(notifier, {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'CDK-owned deploy-time handler that only writes the landing bucket notification configuration; it only logs.',
      });
    }

    // The build: a state machine that runs the model graph (build-orchestration.ts), its step Lambda
    // planning, checking and publishing. Named, so the steps and the ingest refer to it without a cycle.
    const stateMachineName = `${s.prefix}-build`;
    this.buildStateMachineArn = stateMachineArn(this, stateMachineName);
    this.buildStepFunction = this.fn('BuildStep', {
      entry: 'functions/build-step.ts',
      // The plan step compiles the model project at run time.
      copyDirs: ['sql'],
      memorySize: 1024,
      // Each step is short (plan, a test's verdict, a DROP, the Glue switch); the queries run in the state machine.
      timeout: Duration.seconds(300),
      environment: {
        LAKE_URI: lakeUri,
        ATHENA_WORKGROUP: props.workgroupName,
        GLUE_DATABASE: props.databaseName,
        CREDITLAKE_CONFIG: props.configJson,
      },
    });
    this.orchestration = new BuildOrchestration(this, 'Build', {
      stepFunction: this.buildStepFunction,
      stateMachineName,
      workgroupName: props.workgroupName,
      databaseName: props.databaseName,
      parallelism: s.buildParallelism,
      logRetentionDays: s.logRetentionDays,
      timeout: Duration.hours(s.buildMaxHours),
    });
    const stepRole = this.buildStepFunction.role!;
    // Athena runs a query with its caller's credentials: the state machine (statements) and the steps
    // (DROPs of temporary tables, test results, the dashboards' catalog) each get the build's rights.
    const runners = [this.orchestration.stateMachine.role, stepRole];
    for (const role of runners) grantBuildQueries(role, { ...props, stack });
    stepRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SeeOwnExecutions',
        // Whether the execution holding the lake's lock still runs (a stopped one frees it at once).
        actions: ['states:DescribeExecution'],
        resources: [stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    );
    const why =
      'Object-level actions are scoped to named prefixes of the lake (raw/, quarantine/, manifests/, retired/, marts/: each role only ' +
      'the ones it needs), or the landing/results bucket, Glue actions to the tables of one database, and DescribeExecution to ' +
      'the executions of the one build state machine: object keys, mart tables and executions are created at run time; every action is named.';
    acknowledgeScopedResourceWildcards(ingestRole as iam.Role, why);
    acknowledgeScopedResourceWildcards(stepRole as iam.Role, why);

    // Scheduled compaction of small raw files (functions/compact.ts), under the lake's build lock.
    this.compactFunction = this.fn('Compact', {
      entry: 'functions/compact.ts',
      memorySize: s.ingestMemoryMb,
      timeout: Duration.seconds(900),
      // A table's live files and the compacted file are on /tmp while it is rewritten.
      ephemeralStorageSize: Size.mebibytes(s.ingestEphemeralMb),
      environment: { LAKE_URI: lakeUri, GLUE_DATABASE: props.databaseName, COMPACT_MIN_FILES: String(s.compactMinFiles) },
    });
    const compactRole = this.compactFunction.role!;
    grantLakePrefixes(compactRole, props.lakeBucket, COMPACT_LAKE_ACCESS);
    compactRole.addToPrincipalPolicy(registerPartitions());
    compactRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'SeeBuildExecutions',
        // Whether the build holding the lake's lock still runs (a stopped one's lock is taken over).
        actions: ['states:DescribeExecution'],
        resources: [stack.formatArn({ service: 'states', resource: 'execution', resourceName: `${stateMachineName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })],
      }),
    );
    acknowledgeScopedResourceWildcards(compactRole as iam.Role, why);
    this.compactRule = new events.Rule(this, 'CompactSchedule', {
      description: 'Compacts the lake\'s small raw files (under the build lock; marts unchanged)',
      schedule: events.Schedule.expression(s.compactSchedule),
      targets: [
        new targets.LambdaFunction(this.compactFunction, {
          event: events.RuleTargetInput.fromObject({ reason: 'schedule', time: events.EventField.time }),
          retryAttempts: 2,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
    acknowledgeStateMachineRole(this.orchestration.stateMachine, why);

    // Debounced builds after ingest and the nightly build both start an execution.
    this.schedulerRole.addToPrincipalPolicy(
      new iam.PolicyStatement({ sid: 'StartBuild', actions: ['states:StartExecution'], resources: [this.buildStateMachineArn] }),
    );
    this.scheduleRule = new events.Rule(this, 'BuildSchedule', {
      description: 'Rebuilds the Creditlake models on a schedule',
      schedule: events.Schedule.expression(s.buildSchedule),
      targets: [
        new targets.SfnStateMachine(this.orchestration.stateMachine, {
          input: events.RuleTargetInput.fromObject({ reason: 'schedule', time: events.EventField.time }),
        }),
      ],
    });
  }

  private queue(id: string, props: sqs.QueueProps): sqs.Queue {
    return new sqs.Queue(this, id, { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, ...props });
  }

  private fn(
    id: string,
    props: Omit<lambda.FunctionProps, 'runtime' | 'handler' | 'code' | 'role' | 'logGroup'> & {
      entry: string;
      copyDirs?: readonly CopyDir[];
    },
  ): lambda.Function {
    const { entry, copyDirs, ...rest } = props;
    const s = this.settings;
    const logGroup = new logs.LogGroup(this, `${id}Logs`, { retention: s.logRetentionDays as logs.RetentionDays });
    // An own role with an inline policy scoped to this log group, instead of the broad managed policy.
    const role = new iam.Role(this, `${id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'WriteLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    const fn = new lambda.Function(this, id, {
      runtime: NODE_RUNTIMES[s.nodeRuntime],
      architecture: lambda.Architecture.X86_64,
      handler: 'index.handler',
      code: handlerCode(entry, s.lambdaCode, copyDirs),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      ...rest,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...rest.environment },
    });
    const runtimeReason =
      `Node.js ${s.nodeRuntime} is an LTS runtime the project's code supports (engines >=20); choose another with context nodeRuntime.`;
    if (s.nodeRuntime !== 24) {
      acknowledge(
        fn,
        { id: 'AwsSolutions-L1', reason: runtimeReason },
        { id: 'CloudFormation-Validate::W2531', reason: runtimeReason },
      );
    }
    return fn;
  }


}
