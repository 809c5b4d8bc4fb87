import { GetQueryExecutionCommand, StartQueryExecutionCommand } from '@aws-sdk/client-athena';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { BuildStepEvent } from '../../functions/build-step.js';
import { BuildOrchestration } from '../../infra/constructs/build-orchestration.js';
import { runStateMachine, StatesError, type RunOptions } from './state-machine.js';

/**
 * The build state machine of the stack, run on this machine the way Step Functions runs it: shared by
 * the pipeline tests on the real Trino and on the Athena fake, so both drive the definition CDK
 * synthesises, not a copy of it.
 */

/** The stack's build state machine as CDK synthesises it, the step Lambda's ARN rendered as `<step>`. */
export function stackBuildDefinition(databaseName = 'creditlake'): unknown {
  const stack = new Stack(new App(), 'Definition', { env: { account: '123456789012', region: 'eu-west-1' } });
  const fn = new lambda.Function(stack, 'Step', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = 1') });
  new BuildOrchestration(stack, 'Build', { stepFunction: fn, stateMachineName: 'creditlake-build', workgroupName: 'creditlake', databaseName, parallelism: 4, logRetentionDays: 30, timeout: Duration.hours(6) });
  const sm = Object.values(Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine'))[0] as { Properties: { DefinitionString: { 'Fn::Join': [string, unknown[]] } } };
  return JSON.parse(sm.Properties.DefinitionString['Fn::Join'][1].map((p) => (typeof p === 'string' ? p : '<step>')).join(''));
}

export interface AthenaSyncParams {
  QueryString: string;
  WorkGroup: string;
  QueryExecutionContext: { Database: string };
}

/** An Athena API client as far as the .sync integration uses it (the SDK's, mocked or pointed at a stand-in). */
interface AthenaSender {
  send(command: StartQueryExecutionCommand | GetQueryExecutionCommand): Promise<unknown>;
}

/**
 * Athena's .sync integration: start the query, poll until it ends, fail the task as Step Functions does.
 * `lostOnce`: the first run of a matching statement runs to its end (its table and files written) and is
 * then reported FAILED, as a worker lost at the end of a query leaves it, so the retry must clean up.
 */
export function athenaSync(client: AthenaSender, lostOnce?: () => RegExp | undefined): { run: (p: AthenaSyncParams) => Promise<unknown>; lost: Set<string> } {
  const lost = new Set<string>();
  const run = async (params: AthenaSyncParams) => {
    const { QueryExecutionId } = (await client.send(new StartQueryExecutionCommand(params))) as { QueryExecutionId: string };
    for (;;) {
      const { QueryExecution } = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId }))) as { QueryExecution: { Status: { State?: string } } };
      const execution = { ...QueryExecution, QueryExecutionId };
      const state = execution.Status.State;
      if (state === 'SUCCEEDED' && lostOnce?.()?.test(params.QueryString) && !lost.has(params.QueryString)) {
        lost.add(params.QueryString);
        const failed = { ...execution, Status: { State: 'FAILED', AthenaError: { ErrorMessage: 'GENERIC_INTERNAL_ERROR: worker lost' } } };
        throw new StatesError('States.TaskFailed', JSON.stringify({ QueryExecution: failed }));
      }
      if (state === 'SUCCEEDED') return { QueryExecution: execution };
      if (state === 'FAILED' || state === 'CANCELLED') throw new StatesError('States.TaskFailed', JSON.stringify({ QueryExecution: execution }));
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { run, lost };
}

const ATHENA_SYNC = ':states:::athena:startQueryExecution.sync';

/** Executions of the build state machine; knows which are running, as DescribeExecution would. */
export class BuildExecutions {
  private readonly running = new Set<string>();
  private count = 0;
  constructor(
    private readonly definition: unknown,
    private readonly sync: (p: AthenaSyncParams) => Promise<unknown>,
  ) {}

  /** The step Lambda's `executionRunning`: a killed execution is as dead as a finished one. */
  readonly isRunning = async (arn: string): Promise<boolean> => this.running.has(arn);

  /** One execution with these step handlers; resolves with its output, rejects with its error. */
  async run(step: (e: BuildStepEvent) => Promise<unknown>, opts: Partial<RunOptions> = {}): Promise<any> {
    const id = `arn:aws:states:eu-west-1:123456789012:execution:creditlake-build:run-${++this.count}`;
    this.running.add(id);
    try {
      return await runStateMachine(this.definition, { reason: 'ingest' }, {
        executionId: id,
        resources: (r) => (r === '<step>' ? (i) => step(i as BuildStepEvent) : r.endsWith(ATHENA_SYNC) ? (i) => this.sync(i as AthenaSyncParams) : undefined),
        ...opts,
      });
    } finally {
      this.running.delete(id);
    }
  }
}
