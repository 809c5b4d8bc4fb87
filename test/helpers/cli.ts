import { main } from '../../src/cli/main.js';
import { sink } from '../../src/cli/capture.js';

export { sink };

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Short names for stdout/stderr, as older suites spell them. */
  out: string;
  err: string;
}

/** Runs the CLI in-process, as `creditlake <argv…>` from `cwd`, and returns its exit code and output. */
export async function cli(cwd: string, ...argv: string[]): Promise<CliRun> {
  const out = sink();
  const err = sink();
  const code = await main(argv, { stdout: out.stream, stderr: err.stream, cwd, env: {} });
  return { code, stdout: out.text(), stderr: err.text(), out: out.text(), err: err.text() };
}

/** A CLI runner bound to one working folder: `const run = cliIn(dir); await run(['ingest', …])`. */
export function cliIn(cwd: string): (argv: string[]) => Promise<CliRun> {
  return (argv) => cli(cwd, ...argv);
}
