import type { Writable } from 'node:stream';

/** Exit codes mean something to scripts: keep them stable. */
export const EXIT = {
  OK: 0,
  /** The job ran but its result is not acceptable (rejects over the limit, a failing data test). */
  FAILED: 1,
  /** The user asked for something malformed (unknown flag, bad config, missing file). */
  USAGE: 2,
} as const;

export interface CliIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  name: string;
  usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

export class UsageError extends Error {}

export function line(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}
