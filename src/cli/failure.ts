import { EXIT } from './command.js';
import { DUCKDB_ERROR, withoutSql } from '../warehouse/duckdb/error-text.js';

/**
 * The one line a user gets for an error no command handled itself: what went wrong and what to do,
 * never a stack trace (CREDITLAKE_DEBUG=1 prints it, for a bug report) and never SQL the program
 * generated (DuckDB echoes the statement after "LINE n:"; it means nothing to a user and can be long).
 * Usage-shaped problems (a path that is not there or not a folder) exit 2, everything else 1.
 */

export interface Failure {
  message: string;
  exit: number;
}

interface ErrnoLike {
  code?: string;
  path?: string;
  dest?: string;
  syscall?: string;
  message?: string;
}

const ERRNO: Record<string, (path: string) => Failure> = {
  ENOSPC: (p) => ({
    message: `no space left on the device${p}; free some space (or point TMPDIR / the lake elsewhere) and run it again: nothing half-written was committed`,
    exit: EXIT.FAILED,
  }),
  EDQUOT: (p) => ({ message: `disk quota exceeded${p}; nothing half-written was committed`, exit: EXIT.FAILED }),
  EACCES: (p) => ({ message: `permission denied${p}`, exit: EXIT.FAILED }),
  EPERM: (p) => ({ message: `operation not permitted${p}`, exit: EXIT.FAILED }),
  EROFS: (p) => ({ message: `read-only file system${p}`, exit: EXIT.FAILED }),
  ENOENT: (p) => ({ message: `no such file or folder${p}`, exit: EXIT.USAGE }),
  ENOTDIR: (p) => ({ message: `not a folder${p} (is the lake, or a folder on its path, a file?)`, exit: EXIT.USAGE }),
  EISDIR: (p) => ({ message: `is a folder, expected a file${p}`, exit: EXIT.USAGE }),
  EMFILE: () => ({ message: 'too many open files; raise the limit (ulimit -n) and run it again', exit: EXIT.FAILED }),
  ENAMETOOLONG: (p) => ({ message: `file name too long${p}`, exit: EXIT.USAGE }),
  ELOOP: (p) => ({ message: `too many levels of symbolic links${p}`, exit: EXIT.USAGE }),
  EIO: (p) => ({ message: `input/output error${p} (a failing disk or network share?)`, exit: EXIT.FAILED }),
};

export { withoutSql };

export function describeFailure(e: unknown): Failure {
  const err = (e ?? {}) as ErrnoLike;
  if (typeof err.code === 'string' && ERRNO[err.code]) {
    const path = err.dest ?? err.path ? `: ${err.dest ?? err.path}` : '';
    return ERRNO[err.code]!(path);
  }
  const message = e instanceof Error ? e.message : String(e);
  // DuckDB reports a full disk in its own words (IO Error: … No space left on device).
  if (/No space left on device|ENOSPC/i.test(message)) return ERRNO.ENOSPC!('');
  if (DUCKDB_ERROR.test(message)) {
    const text = withoutSql(message);
    if (/^Out of Memory Error/.test(text)) {
      return { message: `DuckDB ran out of memory (${text}); raise duckdb.memory_limit or lower duckdb.threads in creditlake.config.json`, exit: EXIT.FAILED };
    }
    return { message: `DuckDB: ${clip(text)}`, exit: EXIT.FAILED };
  }
  return { message: `${clip(withoutSql(message)) || 'unexpected error'} (set CREDITLAKE_DEBUG=1 for the details of this bug)`, exit: EXIT.FAILED };
}

function clip(s: string, max = 400): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
