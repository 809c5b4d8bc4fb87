import { Match, Template } from 'aws-cdk-lib/assertions';
import { PROVENANCE_COLUMNS } from '../../src/lake/provenance.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { rawTableName } from '../../infra/catalog-tables.js';
import { AwsSolutionsChecks, RESOURCELESS_ACTIONS } from '../../infra/nag.js';
import { parseSettings } from '../../infra/settings.js';
import { CANONICAL_TABLES, glueColumns } from '../../src/schema/index.js';
import { MART_TABLES } from '../../src/schema/marts/index.js';

// Synthesised once for the file: placeholder Lambda code keeps it to about a second.
export const TEST_ENV = { account: '123456789012', region: 'eu-west-1' };
const context = {
  'creditlake:lambdaCode': 'placeholder',
  'creditlake:bytesScannedCutoffPerQuery': '25000000000',
  'creditlake:resultsRetentionDays': '3',
  'creditlake:buildSchedule': 'cron(0 4 * * ? *)',
};
let stack: ReturnType<typeof buildApp>['stack'];
let template: Template;
type Resource = { Type: string; Properties: Record<string, any> };
let resources: Record<string, Resource>;

beforeAll(() => {
  stack = buildApp({ context, env: TEST_ENV }).stack;
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

describe('buckets', () => {
  it('every bucket is encrypted, blocks all public access and is retained', () => {
    const buckets = ofType('AWS::S3::Bucket');
    expect(buckets.length).toBeGreaterThanOrEqual(5);
    for (const [, b] of buckets) {
      expect(b.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.LifecycleConfiguration.Rules).toContainEqual(
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
      );
    }
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
  });

  it('every bucket policy denies requests without TLS', () => {
    const bucketIds = ofType('AWS::S3::Bucket').map(([id]) => id);
    const policies = ofType('AWS::S3::BucketPolicy');
    for (const id of bucketIds) {
      const policy = policies.find(([, p]) => p.Properties.Bucket.Ref === id);
      expect(policy, `bucket ${id} has a policy`).toBeDefined();
      expect(policy![1].Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it('expires Athena results after the configured days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-results', ExpirationInDays: 3 })]) },
    });
  });
});

describe('ingest and build functions', () => {
  it('triggers the ingest Lambda on object creation under every table prefix and the mapped, e-invoice and credit-report prefixes', () => {
    const [, n] = ofType('Custom::S3BucketNotifications')[0]!;
    const configs = n.Properties.NotificationConfiguration.LambdaFunctionConfigurations as any[];
    const prefixes = configs.map((c) => c.Filter.Key.FilterRules[0].Value).sort();
    expect(prefixes).toEqual([...CANONICAL_TABLES.map((t) => `${t.name}/`), 'mapped/', 'einvoices/', 'credit-reports/'].sort());
    expect(new Set(configs.map((c) => c.Events.join()))).toEqual(new Set(['s3:ObjectCreated:*']));
    const ingestId = ofType('AWS::Lambda::Function').find(([id]) => id.includes('Ingest'))![0];
    expect(new Set(configs.map((c) => c.LambdaFunctionArn['Fn::GetAtt'][0]))).toEqual(new Set([ingestId]));
    expect(n.Properties.BucketName.Ref).toMatch(/^Landing/);
  });

  it('gives the ingest Lambda a dead-letter queue and retries, and runs Node 22 on x86_64', () => {
    const ingest = ofType('AWS::Lambda::Function').find(([id]) => id.includes('Ingest'))![1];
    expect(ingest.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['x86_64'], Handler: 'index.handler' });
    expect(ingest.Properties.DeadLetterConfig.TargetArn['Fn::GetAtt'][0]).toMatch(/IngestDeadLetterQueue/);
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
    expect(ingest.Properties.Environment.Variables.LAKE_URI).toBeDefined();
  });

  it('names every IAM action (no wildcard actions) and never grants Resource "*" on data', () => {
    for (const [id, p] of ofType('AWS::IAM::Policy')) {
      for (const st of p.Properties.PolicyDocument.Statement) {
        for (const a of [st.Action].flat()) expect(a, `${id} ${a}`).not.toContain('*');
        // Resource "*" only where AWS offers nothing narrower: the state machine's log delivery and X-Ray traces.
        if ([st.Resource].flat().includes('*')) {
          if (id.startsWith('BucketNotificationsHandler')) continue;
          expect(id, id).toMatch(/^PipelineBuildStateMachineRole/);
          for (const a of [st.Action].flat() as string[]) expect(RESOURCELESS_ACTIONS.has(a), `${id} ${a} on *`).toBe(true);
        }
      }
    }
  });
});

describe('Glue catalog and Athena', () => {
  const tables = () => ofType('AWS::Glue::Table').map(([, t]) => t.Properties.TableInput);

  it('has a raw table per canonical table, columns equal to the zod schema (plus the provenance columns of compacted files), partitioned by ingest_date without projection (partitions registered at commit)', () => {
    for (const t of CANONICAL_TABLES) {
      const glue = tables().find((x) => x.Name === rawTableName(t.name));
      expect(glue, t.name).toBeDefined();
      expect(glue.StorageDescriptor.Columns).toEqual(glueColumns([...t.columns, ...PROVENANCE_COLUMNS]).map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })));
      expect(glue.PartitionKeys).toEqual([expect.objectContaining({ Name: 'ingest_date', Type: 'date' })]);
      // Projection would make Athena probe every day since a start date; registered partitions are only the days with data.
      expect(Object.keys(glue.Parameters).filter((k) => k.startsWith('projection.') || k === 'storage.location.template')).toEqual([]);
      expect(JSON.stringify(glue.StorageDescriptor.Location)).toContain(`/raw/${t.name}/`);
    }
    const ingestRoleId = ofType('AWS::IAM::Role').find(([id]) => id.startsWith('PipelineIngestRole'))![0];
    const [, policy] = ofType('AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: ingestRoleId }]))!;
    const reg = (policy.Properties.PolicyDocument.Statement as any[]).find((s) => s.Sid === 'RegisterPartitions');
    expect(reg.Action).toEqual(['glue:GetTable', 'glue:BatchCreatePartition']);
    const tablesReached = (reg.Resource as unknown[]).map((r) => /table\/creditlake\/(\w+)/.exec(JSON.stringify(r))?.[1]).filter(Boolean);
    expect(tablesReached.sort()).toEqual(CANONICAL_TABLES.map((t) => rawTableName(t.name)).sort());
  });

  it('creates no mart tables: the build owns them (each publish points them at its version folder, which a redeploy must not reset)', () => {
    expect(MART_TABLES.length).toBeGreaterThan(0);
    for (const m of MART_TABLES) expect(tables().find((x) => x.Name === m.name), m.name).toBeUndefined();
    // Per canonical table: its raw table and the two text tables of its commit records.
    expect(tables()).toHaveLength(CANONICAL_TABLES.length * 3);
  });

  it('has the commit records of every table as text tables, so Athena reads only committed, unretired batches', () => {
    for (const t of CANONICAL_TABLES) {
      for (const [name, prefix] of [[`manifests_${t.name}`, 'manifests'], [`retired_${t.name}`, 'retired']]) {
        const glue = tables().find((x) => x.Name === name);
        expect(glue, name).toBeDefined();
        expect(glue.StorageDescriptor.Columns).toEqual([expect.objectContaining({ Name: 'line', Type: 'string' })]);
        expect(glue.StorageDescriptor.SerdeInfo.SerializationLibrary).toBe('org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe');
        expect(glue.PartitionKeys).toEqual([]);
        expect(JSON.stringify(glue.StorageDescriptor.Location)).toContain(`/${prefix}/${t.name}/`);
      }
    }
  });

  it('runs an engine v3 workgroup with enforced, encrypted results and the configured scan cutoff', () => {
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      WorkGroupConfiguration: Match.objectLike({
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 25_000_000_000,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: Match.objectLike({ EncryptionConfiguration: { EncryptionOption: 'SSE_S3' } }),
      }),
    });
  });
});

describe('dashboard hosting, settings, cdk-nag', () => {
  it('keeps the dashboards bundle in a private bucket that CloudFront cannot read (only the gate serves it)', () => {
    template.resourcePropertiesCountIs('AWS::CloudFront::OriginAccessControl', { OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3' }) }, 0);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }) }),
    });
  });

  it('rejects invalid settings with the key named', () => {
    expect(() => parseSettings({ bytesScannedCutoffPerQuery: 5 })).toThrow(/bytesScannedCutoffPerQuery/);
    expect(() => parseSettings({ prefix: 'Bad_Name' })).toThrow(/prefix/);
    expect(() => parseSettings({ nodeRuntime: '19' })).toThrow(/nodeRuntime: must be 20, 22 or 24/);
    expect(parseSettings({}).lambdaCode).toBe('esbuild');
  });

  it('passes the AwsSolutions checks with zero unacknowledged findings, each acknowledgement with a reason', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    const acks: [string, string][] = [];
    for (const c of stack.node.findAll()) {
      for (const m of c.node.metadata) {
        if (m.type === 'aws:cdk:acknowledged-rules') acks.push(...Object.entries(m.data as Record<string, string>));
      }
    }
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) expect(reason.length, id).toBeGreaterThan(30);
  });
});

describe('least privilege per lake prefix', () => {
  type Grant = { read: Set<string>; write: Set<string>; del: Set<string> };
  /** Lake prefixes each role may read, put and delete, from the synthesised policy. */
  function lakeGrants(rolePrefix: string): Grant {
    const roleId = ofType('AWS::IAM::Role').find(([id]) => id.startsWith(rolePrefix))![0];
    const [, policy] = ofType('AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))!;
    const g: Grant = { read: new Set(), write: new Set(), del: new Set() };
    for (const st of policy.Properties.PolicyDocument.Statement) {
      for (const r of [st.Resource].flat()) {
        const text = JSON.stringify(r);
        if (!text.includes('"Lake')) continue;
        // A prefix (`…/raw/*`) or one object (`…/marts/_build.lock`).
        const m = /"\/((?:[a-z_]+\/)*)\*"/.exec(text) ?? /"\/([a-z_]+\/[a-z_.]+)"/.exec(text);
        const prefix = m ? m[1]! || '(whole bucket)' : undefined;
        if (!prefix) continue;
        for (const a of [st.Action].flat() as string[]) {
          if (a === 's3:GetObject') g.read.add(prefix);
          if (a === 's3:PutObject') g.write.add(prefix);
          if (a === 's3:DeleteObject') g.del.add(prefix);
        }
      }
    }
    return g;
  }
  const sorted = (s: Set<string>) => [...s].sort();

  it('ingest writes raw/, quarantine/ and manifests/ only, deletes only orphan data (never a manifest), never touches marts/', () => {
    const g = lakeGrants('PipelineIngestRole');
    expect(sorted(g.write)).toEqual(['manifests/', 'quarantine/', 'raw/']);
    expect(sorted(g.del)).toEqual(['quarantine/', 'raw/']);
    expect(sorted(g.read)).toEqual(['manifests/', 'quarantine/', 'raw/']);
  });

  it('the build (its steps and the state machine running its statements) writes and deletes under marts/ only and reads raw/, manifests/ and retired/ (committed batches only)', () => {
    for (const role of ['PipelineBuildStepRole', 'PipelineBuildStateMachineRole']) {
      const g = lakeGrants(role);
      expect(sorted(g.write), role).toEqual(['marts/']);
      expect(sorted(g.del), role).toEqual(['marts/']);
      expect(sorted(g.read), role).toEqual(['manifests/', 'marts/', 'raw/', 'retired/']);
    }
  });

  it('compaction writes raw/ and manifests/ only (deleting only under raw/, its own orphans) and the build lock object, reads retire records, never a mart', () => {
    const g = lakeGrants('PipelineCompactRole');
    expect(sorted(g.write)).toEqual(['manifests/', 'marts/_build.lock', 'raw/']);
    expect(sorted(g.del)).toEqual(['marts/_build.lock', 'raw/']);
    expect(sorted(g.read)).toEqual(['manifests/', 'marts/_build.lock', 'raw/', 'retired/']);
  });

  it('the dashboards function writes nothing in the lake and reads the marts only (no raw file, manifest or retire record)', () => {
    const g = lakeGrants('DashboardApiRole');
    expect(sorted(g.write)).toEqual([]);
    expect(sorted(g.del)).toEqual([]);
    expect(sorted(g.read)).toEqual(['marts/']);
  });
});

describe('scheduled compaction', () => {
  it('an EventBridge rule runs the Compact Lambda on its schedule (before the nightly build), which registers raw partitions only and may look at build executions only', () => {
    const [fnId, fn] = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('PipelineCompact'))!;
    expect(fn.Properties.Environment.Variables).toMatchObject({ COMPACT_MIN_FILES: '10', GLUE_DATABASE: 'creditlake' });
    expect(fn.Properties.Timeout).toBe(900);
    const rule = ofType('AWS::Events::Rule').find(([id]) => id.startsWith('PipelineCompactSchedule'))![1];
    expect(rule.Properties.ScheduleExpression).toBe('cron(0 5 * * ? *)');
    expect(rule.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 7200 } })]);
    template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] }, Principal: 'events.amazonaws.com' });
    const roleId = ofType('AWS::IAM::Role').find(([id]) => id.startsWith('PipelineCompactRole'))![0];
    const [, policy] = ofType('AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))!;
    const bySid = Object.fromEntries((policy.Properties.PolicyDocument.Statement as any[]).map((st) => [st.Sid, st]));
    expect(bySid.RegisterPartitions.Action).toEqual(['glue:GetTable', 'glue:BatchCreatePartition']);
    const tables = JSON.stringify(bySid.RegisterPartitions.Resource);
    expect(tables).not.toContain('table/creditlake/*');
    for (const t of CANONICAL_TABLES) expect(tables).toContain(`table/creditlake/${rawTableName(t.name)}`);
    expect(bySid.SeeBuildExecutions.Action).toBe('states:DescribeExecution');
    expect(JSON.stringify(bySid.SeeBuildExecutions.Resource)).toContain(':execution:creditlake-build:*');
    const actions = (policy.Properties.PolicyDocument.Statement as any[]).flatMap((st) => [st.Action].flat() as string[]);
    expect(actions.filter((a) => a.startsWith('athena:') || /glue:(Create|Update|Delete)Table/.test(a))).toEqual([]);
  });
});

describe('debounced builds after ingest', () => {
  it('the ingest moves one named one-time schedule (quiet window, max wait) that starts the build state machine, with rights on that schedule only', () => {
    const ingest = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('PipelineIngest'))![1];
    const vars = ingest.Properties.Environment.Variables;
    expect(vars).toMatchObject({ BUILD_SCHEDULE_GROUP: 'creditlake', BUILD_SCHEDULE_NAME: 'build-after-ingest', BUILD_QUIET_MINUTES: '10', BUILD_MAX_WAIT_MINUTES: '60' });
    expect(JSON.stringify(vars.BUILD_TARGET_ARN)).toContain(':stateMachine:creditlake-build');
    template.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'creditlake' });

    const roleId = ofType('AWS::IAM::Role').find(([id]) => id.startsWith('PipelineIngestRole'))![0];
    const [, policy] = ofType('AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))!;
    const bySid = Object.fromEntries((policy.Properties.PolicyDocument.Statement as any[]).map((s) => [s.Sid, s]));
    expect(bySid.DebounceBuild.Action).toEqual(['scheduler:GetSchedule', 'scheduler:CreateSchedule', 'scheduler:UpdateSchedule']);
    expect(JSON.stringify(bySid.DebounceBuild.Resource)).toContain(':schedule/creditlake/build-after-ingest');
    expect(bySid.PassSchedulerRole.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } });
    // The ingest no longer sends a build request per batch (its only queue right is its own dead-letter queue).
    const sends = (policy.Properties.PolicyDocument.Statement as any[]).filter((s) => [s.Action].flat().includes('sqs:SendMessage'));
    expect(sends.map((s) => JSON.stringify(s.Resource))).toEqual([expect.stringMatching(/IngestDeadLetterQueue/)]);

    const [schedRoleId, schedRole] = ofType('AWS::IAM::Role').find(([id]) => id.startsWith('PipelineSchedulerRole'))!;
    expect(schedRole.Properties.AssumeRolePolicyDocument.Statement[0]).toMatchObject({
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': expect.anything() } },
    });
    const [, schedPolicy] = ofType('AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: schedRoleId }]))!;
    expect(schedPolicy.Properties.PolicyDocument.Statement).toEqual([expect.objectContaining({ Action: 'states:StartExecution' })]);
    expect(JSON.stringify(schedPolicy.Properties.PolicyDocument.Statement[0].Resource)).toContain(':stateMachine:creditlake-build');
  });
});

describe('the build state machine', () => {
  const machine = () => ofType('AWS::StepFunctions::StateMachine')[0]![1];
  /** The definition with the CloudFormation references rendered as their logical ids. */
  const definition = () => {
    const parts = machine().Properties.DefinitionString['Fn::Join'][1] as unknown[];
    return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : `<${JSON.stringify(p).replace(/"/g, '')}>`)).join(''));
  };
  /** Every state of the definition, nested Map processors included. */
  const states = (d: any = definition()): Record<string, any> => {
    const out: Record<string, any> = {};
    for (const [name, st] of Object.entries<any>(d.States)) {
      out[name] = st;
      if (st.ItemProcessor) Object.assign(out, states(st.ItemProcessor));
    }
    return out;
  };

  it('is the only build: no build queue or build Lambda of one invocation, nightly and debounced builds start an execution', () => {
    expect(ofType('AWS::SQS::Queue').map(([id]) => id).filter((id) => /Build/.test(id))).toEqual([]);
    expect(machine().Properties.StateMachineName).toBe('creditlake-build');
    const rule = ofType('AWS::Events::Rule').find(([id]) => id.startsWith('PipelineBuildSchedule'))![1];
    expect(rule.Properties.ScheduleExpression).toBe('cron(0 4 * * ? *)');
    expect(JSON.stringify(rule.Properties.Targets[0].Arn)).toMatch(/BuildStateMachine/);
  });

  it('drives the build runner layer by layer (the steps of a layer in parallel), each statement through Athena .sync with retries and backoff, with no 900 s ceiling', () => {
    const s = states();
    expect(s.Layers).toMatchObject({ Type: 'Map', ItemsPath: '$.plan.layers', MaxConcurrency: 1 });
    expect(s.Steps).toMatchObject({ Type: 'Map', ItemsPath: '$.steps', MaxConcurrency: 4 });
    expect(s.Steps.ItemSelector).toMatchObject({ done: [], last: {}, attempt: 1 });
    // A step is advanced statement by statement: the state machine runs each one and hands its id back.
    expect(s.Advance.Parameters).toMatchObject({ action: 'advance', 'done.$': '$.done', 'last.$': '$.last' });
    expect(s.HasStatement.Choices[0]).toMatchObject({ Variable: '$.advance.statement', IsPresent: true, Next: 'RunStatement' });
    expect(s.RunStatement.Resource).toMatch(/:states:::athena:startQueryExecution\.sync$/);
    expect(s.RunStatement.Parameters).toEqual({ 'QueryString.$': '$.advance.statement', WorkGroup: 'creditlake', QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: 'creditlake' } });
    expect(s.RunStatement.Retry).toEqual([expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Athena.TooManyRequestsException']), BackoffRate: 2, MaxAttempts: 6 })]);
    expect(s.RunStatement.Next).toBe('Ran');
    expect(s.Ran.Parameters).toMatchObject({ 'done.$': '$.advance.done', last: { 'id.$': '$.ran.id' } });
    // A failed query: retried after a growing wait when transient, else handed to the runner.
    expect(s.RunStatement.Catch).toEqual([expect.objectContaining({ ErrorEquals: ['States.ALL'], Next: 'Recover' })]);
    expect(s.RetryStatement.Choices[0]).toMatchObject({ Variable: '$.recovered.retry_in', IsPresent: true, Next: 'Backoff' });
    expect(s.Backoff).toMatchObject({ Type: 'Wait', SecondsPath: '$.recovered.retry_in' });
    expect(s.StatementFailed.Parameters).toMatchObject({ 'last.$': '$.recovered.last' });
    // Each layer's results are folded into the build state before the next layer.
    expect(s.Merge.Parameters).toMatchObject({ action: 'merge', 'results.$': '$.results' });
    // No step polls a query: the Lambda steps are short, the execution may run for hours.
    const stepFn = ofType('AWS::Lambda::Function').find(([id]) => id.startsWith('PipelineBuildStep'))![1];
    expect(stepFn.Properties.Timeout).toBe(300);
    expect(definition().TimeoutSeconds).toBe(6 * 3600);
  });

  it('waits for the lake lock (a CLI build) with backoff, aborts and cleans up on a failed model, fails on a failing data test', () => {
    const s = states();
    expect(s.Plan.Retry).toContainEqual(expect.objectContaining({ ErrorEquals: ['BuildLocked'], IntervalSeconds: 60, BackoffRate: 1.5 }));
    expect(s.Layers.Catch).toEqual([expect.objectContaining({ Next: 'Abort' })]);
    expect(s.Finish.Catch).toEqual([expect.objectContaining({ Next: 'Abort' })]);
    expect(s.Abort.Next).toBe('BuildFailed');
    expect(s.Published.Choices[0]).toMatchObject({ Variable: '$.report.ok', BooleanEquals: true, Next: 'Built' });
    expect(s.Published.Default).toBe('DataTestsFailed');
  });

  it('logs every execution and traces it; the step Lambda may look at its own executions only', () => {
    expect(machine().Properties.TracingConfiguration).toEqual({ Enabled: true });
    expect(machine().Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL' });
    const roleId = ofType('AWS::IAM::Role').find(([id]) => id.startsWith('PipelineBuildStepRole'))![0];
    const [, policy] = ofType('AWS::IAM::Policy').find(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))!;
    const see = (policy.Properties.PolicyDocument.Statement as any[]).find((st) => st.Sid === 'SeeOwnExecutions');
    expect(see.Action).toBe('states:DescribeExecution');
    expect(JSON.stringify(see.Resource)).toContain(':execution:creditlake-build:*');
  });
});
