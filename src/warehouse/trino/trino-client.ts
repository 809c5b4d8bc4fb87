/**
 * Trino's HTTP client protocol, on Node's fetch: POST the statement to /v1/statement, then follow
 * `nextUri` until it is absent, collecting `columns` and `data`. Small on purpose: the npm
 * `trino-client` (0.x) adds axios and hands back untyped pages; what Creditlake needs is one
 * statement to completion, its column types, a clear error, cancellation on timeout, and basic auth.
 */

export interface TrinoConnection {
  /** `http://host:port` or `https://…` of the coordinator. */
  url: string;
  user: string;
  /** Basic authentication (Trino allows it over HTTPS only). */
  password?: string;
  catalog?: string;
  schema?: string;
  /** Overall limit per statement; the query is cancelled when it is reached. */
  timeoutMs?: number;
  /** Extra session properties (`X-Trino-Session`). */
  session?: Record<string, string>;
}

export interface TrinoColumn {
  name: string;
  /** Trino's type text, e.g. `decimal(18,2)`, `varchar`, `array(date)`. */
  type: string;
}

export interface TrinoResult {
  columns: TrinoColumn[];
  rows: unknown[][];
  /** `CREATE TABLE`, `INSERT`, `SELECT`, … as Trino reports it. */
  updateType?: string;
  updateCount?: number;
  /** Bytes the query read from storage, as Trino's final statistics report them. */
  processedBytes?: number;
  /**
   * Bytes read from the files themselves (compressed Parquet, only the columns and row groups read):
   * what Athena bills as DataScannedInBytes.
   */
  physicalInputBytes?: number;
  /** CPU time the cluster spent on the query (all its tasks), from the final statistics. */
  cpuTimeMillis?: number;
}

/** What a client's statements cost the cluster so far (Trino's own statistics, summed). */
export interface TrinoUsage {
  queries: number;
  cpuMs: number;
  processedBytes: number;
}

interface TrinoError {
  message: string;
  errorName?: string;
  errorType?: string;
  errorLocation?: { lineNumber: number; columnNumber: number };
}

interface QueryPage {
  id: string;
  nextUri?: string;
  columns?: TrinoColumn[];
  data?: unknown[][];
  error?: TrinoError;
  updateType?: string;
  updateCount?: number;
  stats?: { state?: string; processedBytes?: number; physicalInputBytes?: number; cpuTimeMillis?: number };
}

export class TrinoQueryError extends Error {
  constructor(
    message: string,
    readonly queryId: string | undefined,
    /** e.g. `DIVISION_BY_ZERO`, `TABLE_NOT_FOUND`, `TIMEOUT`. */
    readonly errorName: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** The server could not be reached or answered something that is not the protocol. */
export class TrinoConnectionError extends Error {}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class TrinoClient {
  /** Summed over every statement this client ran (a shared server's other users are not in it). */
  readonly usage: TrinoUsage = { queries: 0, cpuMs: 0, processedBytes: 0 };

  constructor(readonly conn: TrinoConnection) {}

  private headers(): Record<string, string> {
    const h: Record<string, string> = {
      'X-Trino-User': this.conn.user,
      'X-Trino-Source': 'creditlake',
      'Content-Type': 'text/plain; charset=utf-8',
    };
    if (this.conn.catalog) h['X-Trino-Catalog'] = this.conn.catalog;
    if (this.conn.schema) h['X-Trino-Schema'] = this.conn.schema;
    if (this.conn.password !== undefined) {
      h.Authorization = `Basic ${Buffer.from(`${this.conn.user}:${this.conn.password}`).toString('base64')}`;
    }
    const session = Object.entries(this.conn.session ?? {});
    if (session.length) h['X-Trino-Session'] = session.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join(',');
    return h;
  }

  private async request(url: string, init: RequestInit): Promise<QueryPage> {
    // 502/503/504 and 429 are the protocol's "try again"; anything else that is not JSON is an error.
    for (let attempt = 0, delay = 50; ; attempt++, delay = Math.min(delay * 2, 1000)) {
      let res: Response;
      try {
        res = await fetch(url, { ...init, headers: this.headers() });
      } catch (e) {
        const cause = (e as { cause?: { code?: string; message?: string } }).cause;
        throw new TrinoConnectionError(
          `cannot reach Trino at ${this.conn.url}: ${cause?.code ?? cause?.message ?? (e as Error).message}` +
            ` (is it running? \`npm run trino:start\` starts a local one)`,
        );
      }
      if ([429, 502, 503, 504].includes(res.status) && attempt < 20) {
        await res.body?.cancel();
        await sleep(delay);
        continue;
      }
      const text = await res.text();
      if (res.status === 401) throw new TrinoConnectionError(`Trino at ${this.conn.url} refused the credentials of user ${this.conn.user} (401)`);
      if (!res.ok) throw new TrinoConnectionError(`Trino at ${this.conn.url} answered ${res.status}: ${text.slice(0, 200)}`);
      try {
        return JSON.parse(text) as QueryPage;
      } catch {
        throw new TrinoConnectionError(`Trino at ${this.conn.url} answered something that is not JSON: ${text.slice(0, 200)}`);
      }
    }
  }

  /** Runs one statement to completion (no trailing `;`). */
  async query(sql: string): Promise<TrinoResult> {
    const deadline = Date.now() + (this.conn.timeoutMs ?? 30 * 60_000);
    let page = await this.request(`${this.conn.url.replace(/\/+$/, '')}/v1/statement`, { method: 'POST', body: sql });
    let columns = page.columns;
    const rows: unknown[][] = [];
    for (;;) {
      if (page.data) for (const r of page.data) rows.push(r);
      columns ??= page.columns;
      if (page.error) {
        const e = page.error;
        const where = e.errorLocation ? ` (line ${e.errorLocation.lineNumber}, column ${e.errorLocation.columnNumber})` : '';
        throw new TrinoQueryError(`${e.message}${where}`, page.id, e.errorName ?? 'ERROR', e.errorLocation?.lineNumber);
      }
      if (!page.nextUri) break;
      if (Date.now() > deadline) {
        await fetch(page.nextUri, { method: 'DELETE', headers: this.headers() }).catch(() => undefined);
        throw new TrinoQueryError(
          `Trino query ${page.id} did not finish within ${Math.round((this.conn.timeoutMs ?? 0) / 1000)} s; cancelled it`,
          page.id,
          'TIMEOUT',
        );
      }
      page = await this.request(page.nextUri, { method: 'GET' });
    }
    this.usage.queries++;
    this.usage.cpuMs += page.stats?.cpuTimeMillis ?? 0;
    this.usage.processedBytes += page.stats?.processedBytes ?? 0;
    return {
      columns: columns ?? [],
      rows,
      updateType: page.updateType,
      updateCount: page.updateCount,
      processedBytes: page.stats?.processedBytes,
      physicalInputBytes: page.stats?.physicalInputBytes,
      cpuTimeMillis: page.stats?.cpuTimeMillis,
    };
  }

  /** True when a coordinator answers and has finished starting. */
  async ready(): Promise<boolean> {
    try {
      const res = await fetch(`${this.conn.url.replace(/\/+$/, '')}/v1/info`, { signal: AbortSignal.timeout(2000) });
      if (!res.ok) return false;
      return (await res.json() as { starting?: boolean }).starting === false;
    } catch {
      return false;
    }
  }
}
