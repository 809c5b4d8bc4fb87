import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

export interface BuildOrchestrationProps {
  /** The build step Lambda (functions/build-step.ts). */
  stepFunction: lambda.IFunction;
  stateMachineName: string;
  workgroupName: string;
  databaseName: string;
  /** Units of one wave run at most this many at a time (Athena's concurrent query quota is shared). */
  parallelism: number;
  logRetentionDays: number;
  /** Longest a whole build may take, lock waits included. */
  timeout: Duration;
}

/** Failures of a statement's API call (not of the query): retried by Step Functions with backoff. */
export const STATEMENT_API_ERRORS = ['Athena.TooManyRequestsException', 'Athena.InternalServerException', 'Athena.AthenaException'];

/**
 * The build as a Step Functions state machine, driving the one build runner step by step
 * (src/aws/build-steps.ts):
 *
 *   Plan ─► Layers (one after the other) ─► Finish ─► Built | DataTestsFailed
 *             └─ Steps of a layer in parallel (a model and its data tests, or a SQL data test),
 *                then Merge (the layer's results into the build state):
 *                  Advance ─► RunStatement (Athena .sync) ─► Ran ─► Advance … ─► StepDone
 *                                 └─ failed ─► Recover ─► Backoff ─► Again ─► Advance   (transient)
 *                                                    └─► Failed ─► Advance     (the runner decides)
 *   a failing model, or Finish failing ─► Abort ─► BuildFailed
 *
 * Step Functions waits for each Athena query itself (no Lambda polls one, so no 900 s ceiling); Plan
 * waits for the lake's build lock with backoff while another build (a CLI build included) holds it.
 */
export class BuildOrchestration extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BuildOrchestrationProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const step = (stateId: string, action: string, payload: Record<string, unknown>, resultPath: string) =>
      new tasks.LambdaInvoke(this, stateId, {
        lambdaFunction: props.stepFunction,
        payloadResponseOnly: true,
        payload: sfn.TaskInput.fromObject({ action, ...payload }),
        resultPath,
        retryOnServiceExceptions: true,
      });

    const failed = new sfn.Fail(this, 'BuildFailed', { error: 'BuildFailed', causePath: '$.aborted.message' });
    const abort = step('Abort', 'abort', { 'build_id.$': '$.plan.build_id', 'failure.$': '$.failure' }, '$.aborted').next(failed);

    const plan = step('Plan', 'plan', { 'execution.$': '$$.Execution.Id', 'input.$': '$' }, '$.plan');
    plan.addRetry({ errors: ['BuildLocked'], interval: Duration.seconds(60), backoffRate: 1.5, maxDelay: Duration.minutes(10), maxAttempts: 40 });
    plan.addCatch(new sfn.Fail(this, 'NotPlanned', { error: 'BuildNotPlanned', causePath: '$.failure.Cause' }), { resultPath: '$.failure' });

    // One runner step, statement by statement.
    const advance = step('Advance', 'advance', { 'build_id.$': '$.build_id', 'step.$': '$.step', 'done.$': '$.done', 'last.$': '$.last' }, '$.advance');
    const runStatement = new sfn.CustomState(this, 'RunStatement', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::athena:startQueryExecution.sync`,
        Parameters: {
          'QueryString.$': '$.advance.statement',
          WorkGroup: props.workgroupName,
          QueryExecutionContext: { Catalog: 'AwsDataCatalog', Database: props.databaseName },
        },
        ResultSelector: { 'id.$': '$.QueryExecution.QueryExecutionId' },
        ResultPath: '$.ran',
      },
    });
    runStatement.addRetry({ errors: STATEMENT_API_ERRORS, interval: Duration.seconds(5), backoffRate: 2, maxAttempts: 6, jitterStrategy: sfn.JitterType.FULL });
    const carry = (stateId: string, last: Record<string, unknown> | string, attempt: number | string) =>
      new sfn.Pass(this, stateId, {
        parameters: {
          'build_id.$': '$.build_id',
          'step.$': '$.step',
          'done.$': '$.advance.done',
          ...(typeof last === 'string' ? { 'last.$': last } : { last }),
          ...(typeof attempt === 'string' ? { 'attempt.$': attempt } : { attempt }),
        },
      });
    const ran = carry('Ran', { 'id.$': '$.ran.id' }, 1);
    const recover = step(
      'Recover',
      'recover',
      { 'build_id.$': '$.build_id', 'step.$': '$.step', 'statement.$': '$.advance.statement', 'failure.$': '$.failure', 'attempt.$': '$.attempt' },
      '$.recovered',
    );
    runStatement.addCatch(recover, { resultPath: '$.failure' });
    // The statements run so far are in $.advance.done already: the same statement is asked for again.
    const again = carry('Again', {}, '$.recovered.attempt');
    const failedStatement = carry('StatementFailed', '$.recovered.last', 1);
    recover.next(
      new sfn.Choice(this, 'RetryStatement')
        .when(sfn.Condition.isPresent('$.recovered.retry_in'), new sfn.Wait(this, 'Backoff', { time: sfn.WaitTime.secondsPath('$.recovered.retry_in') }).next(again))
        .otherwise(failedStatement),
    );
    again.next(advance);
    failedStatement.next(advance);
    ran.next(advance);
    const stepDone = new sfn.Pass(this, 'StepDone', { outputPath: '$.advance.result' });
    const runStep = advance.next(
      new sfn.Choice(this, 'HasStatement').when(sfn.Condition.isPresent('$.advance.statement'), runStatement.next(ran)).otherwise(stepDone),
    );

    const steps = new sfn.Map(this, 'Steps', {
      itemsPath: '$.steps',
      maxConcurrency: props.parallelism,
      // `last: {}`: no statement run yet (Step Functions drops nulls from a template).
      itemSelector: { 'build_id.$': '$.build_id', 'step.$': '$$.Map.Item.Value', done: [], last: {}, attempt: 1 },
      resultPath: '$.results',
    }).itemProcessor(runStep);
    const merge = step('Merge', 'merge', { 'build_id.$': '$.build_id', 'results.$': '$.results' }, '$.merged');
    const layers = new sfn.Map(this, 'Layers', {
      itemsPath: '$.plan.layers',
      maxConcurrency: 1,
      itemSelector: { 'build_id.$': '$.plan.build_id', 'steps.$': '$$.Map.Item.Value' },
      resultPath: sfn.JsonPath.DISCARD,
    }).itemProcessor(steps.next(merge));
    layers.addCatch(abort, { resultPath: '$.failure' });

    const finish = step('Finish', 'finish', { 'build_id.$': '$.plan.build_id' }, '$.report');
    finish.addCatch(abort, { resultPath: '$.failure' });
    const verdict = new sfn.Choice(this, 'Published')
      .when(sfn.Condition.booleanEquals('$.report.ok', true), new sfn.Succeed(this, 'Built', { outputPath: '$.report' }))
      .otherwise(new sfn.Fail(this, 'DataTestsFailed', { error: 'DataTestsFailed', causePath: sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.report.failed_tests')) }));
    const definition = plan.next(layers).next(finish).next(verdict);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: props.timeout,
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      comment: 'Creditlake build: the model graph on Athena, wave by wave, statement by statement; marts switch only when every data test passed',
    });
  }
}

/** The ARN of the state machine named `name` in this stack's account and region (no reference, so no cycle). */
export function stateMachineArn(scope: Construct, name: string): string {
  return Stack.of(scope).formatArn({ service: 'states', resource: 'stateMachine', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}
