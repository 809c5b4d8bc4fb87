import type { Writable } from 'node:stream';

/**
 * True once the reader of `out` has gone away (`creditlake query … | head` after head exits): the
 * command stops producing output and ends quietly with its exit code, as `head` expects.
 */
export function readerGone(out: Writable): boolean {
  return out.destroyed || out.writableEnded;
}

/**
 * Writes `text` and waits while the reader is behind, so a large result streams through a pipe in
 * bounded memory instead of piling up in the stream's buffer. Resolves false when the reader is gone.
 */
export async function writeOut(out: Writable, text: string): Promise<boolean> {
  if (readerGone(out)) return false;
  if (out.write(text)) return true;
  await new Promise<void>((resolve) => {
    const done = () => {
      out.off('drain', done);
      out.off('close', done);
      out.off('error', done);
      resolve();
    };
    out.on('drain', done);
    out.on('close', done);
    out.on('error', done);
  });
  return !readerGone(out);
}

/**
 * A closed pipe is not an error: EPIPE on stdout or stderr marks the stream finished instead of
 * crashing the process with a stack trace. Installed once per stream by the CLI entry point.
 */
export function quietOnClosedPipe(stream: Writable): void {
  const marked = stream as Writable & { __creditlakePipeGuard?: boolean };
  if (marked.__creditlakePipeGuard) return;
  marked.__creditlakePipeGuard = true;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') {
      stream.destroy();
      return;
    }
    // Any other write failure (disk full behind a redirect) is real: report it once, on stderr.
    if (stream !== process.stderr) process.stderr.write(`creditlake: cannot write output: ${e.message}\n`);
    process.exitCode = 1;
  });
}
