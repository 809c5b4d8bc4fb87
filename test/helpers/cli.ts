import { main } from '../../src/cli/main.js';
import { sink } from '../../src/cli/capture.js';

export { sink };

/** Runs the CLI in-process, as `creditlake <argv…>` from `cwd`, and returns its exit code and output. */
export async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = sink();
  const err = sink();
  const code = await main(argv, { stdout: out.stream, stderr: err.stream, cwd, env: {} });
  return { code, stdout: out.text(), stderr: err.text() };
}
