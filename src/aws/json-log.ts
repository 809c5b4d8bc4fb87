export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

export interface JsonLogger {
  log(level: LogLevel, message: string, fields?: LogFields): void;
  /** A logger that adds `fields` (e.g. batch_id, table) to every entry. */
  child(fields: LogFields): JsonLogger;
}

/**
 * One JSON object per line on stdout: CloudWatch Logs Insights indexes the fields, so
 * `filter batch_id = '…'` finds every line of one ingest.
 */
export function jsonLogger(base: LogFields = {}, write: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): JsonLogger {
  return {
    log(level, message, fields) {
      write(JSON.stringify({ time: new Date().toISOString(), level, message, ...base, ...fields }));
    },
    child(fields) {
      return jsonLogger({ ...base, ...fields }, write);
    },
  };
}
