import { DescribeExecutionCommand, SFNClient, StartExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { costLine } from '../aws/athena-cost.js';
import { BuildLock } from '../aws/build-lock.js';
import { SFN_OWNER_PREFIX } from '../aws/build-steps.js';
import { S3LakeStore } from '../lake/s3-store.js';
import type { AthenaBuildCliOptions } from './athena-target.js';
import { EXIT, UsageError, line, type CliIO } from './command.js';
import { printJson } from './json-output.js';

/**
 * `creditlake build --target athena` when the config names the stack's build state machine
 * (`athena.state_machine_arn`): joins the execution that holds the lake's build lock, or starts one, and
 * waits for its outcome, so a laptop build and the scheduled ones are the same build, one at a time.
 */
export async function runStateMachineBuild(opts: AthenaBuildCliOptions, io: CliIO): Promise<number> {
  if (opts.skipTests) throw new UsageError('--no-tests cannot be used with athena.state_machine_arn: the state machine publishes only builds whose data tests passed');
  const arn = opts.config.athena.state_machine_arn!;
  const sfn = opts.sfn ?? new SFNClient({});
  const store = opts.store ?? S3LakeStore.fromUri(opts.lakeRoot);
  const say = (text: string) => line(opts.json ? io.stderr : io.stdout, text);
  const holder = (await new BuildLock(store).current())?.info.owner;
  let executionArn: string | undefined;
  let running: DescribeExecutionCommandOutput | undefined;
  if (holder?.startsWith(SFN_OWNER_PREFIX)) {
    executionArn = holder.slice(SFN_OWNER_PREFIX.length);
    running = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  if (executionArn && running?.status === 'RUNNING' && !opts.select.length) {
    say(`joining the running build ${executionArn}`);
  } else {
    if (running?.status === 'RUNNING') say(`a build is running (${executionArn!}); this one (--select ${opts.select.join(' ')}) starts after it`);
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ reason: 'cli', ...(opts.select.length ? { select: [...opts.select] } : {}) }) }),
    );
    executionArn = started.executionArn!;
    say(`started build ${executionArn}`);
  }
  const watched = executionArn;
  let last: DescribeExecutionCommandOutput;
  for (;;) {
    last = await sfn.send(new DescribeExecutionCommand({ executionArn: watched }));
    if (last.status !== 'RUNNING' && last.status !== 'PENDING_REDRIVE') break;
    await new Promise((r) => setTimeout(r, opts.lockPollMs ?? 10_000));
  }
  const output = last.output ? (JSON.parse(last.output) as { ok?: boolean; published?: boolean; build_id?: string; scanned?: { queries: number; bytes_scanned: number; bytes_billed: number } }) : undefined;
  if (opts.json) printJson(io, { execution: watched, status: last.status, error: last.error ?? null, cause: last.cause ?? null, report: output ?? null });
  if (last.status === 'SUCCEEDED') {
    if (!opts.json) {
      line(io.stdout, `ok: build ${output?.build_id ?? ''} published`);
      if (output?.scanned) line(io.stdout, costLine({ queries: output.scanned.queries, bytesScanned: output.scanned.bytes_scanned, bytesBilled: output.scanned.bytes_billed }));
    }
    return EXIT.OK;
  }
  line(io.stderr, `creditlake build: the build ${last.status?.toLowerCase() ?? 'ended'}${last.error ? ` (${last.error})` : ''}${last.cause ? `: ${last.cause}` : ''}; readers keep the previous marts`);
  return EXIT.FAILED;
}
