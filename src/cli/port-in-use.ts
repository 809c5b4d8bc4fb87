/**
 * The one line to print when the dashboards' port is taken (typically a `creditlake serve` or
 * demo still running), instead of Node's EADDRINUSE stack trace; undefined for any other error.
 */
export function portInUse(e: unknown, port: number): string | undefined {
  if ((e as NodeJS.ErrnoException | undefined)?.code !== 'EADDRINUSE') return undefined;
  return `port ${port} on 127.0.0.1 is already in use (another creditlake serve or demo?): stop it, or pass --port N (0 picks a free port)`;
}
