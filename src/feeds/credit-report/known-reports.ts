import type { DuckDBEngine } from '../../warehouse/duckdb/duckdb-engine.js';

/**
 * The credit reports a new record is checked against for duplicates: every report in the lake and
 * every one this run accepted, by report id and by natural key (`provider|company_key|report_date`),
 * each with where it came from (IN_LAKE, or the file and line: normalise.ts `origin`).
 *
 * At 4M invoices that is 3.2M keys; held as JavaScript maps they took 1.1-1.4 GB of V8 heap, which no
 * `duckdb.memory_limit` bounds (issue 16 item 3). `DuckDBKnownReports` keeps them in a DuckDB table
 * (spills under the limit) and in JavaScript only a 64-bit fingerprint per key (16 bytes a key), which
 * answers "certainly not known" for a new report without asking DuckDB; a fingerprint that matches is
 * only a "maybe", settled by a lookup in the table (`find`), so an answer is never a guess.
 */
export interface KnownReports {
  /** The key's origin when known for certain, undefined when certainly unknown, MAYBE when only `find` can tell. */
  peek(key: string): number | undefined | typeof MAYBE;
  /** Origins of those of `keys` that are known (the others are absent from the result). */
  find(keys: readonly string[]): Promise<Map<string, number>>;
  /** Records an accepted report's key. */
  add(key: string, origin: number): void;
  /** Lets keys recorded by `add` reach storage (between pieces of a file). */
  settle(): Promise<void>;
  /** Every key, sorted (for comparing two ways of loading the same state). */
  keys(): Promise<string[]>;
}

export const MAYBE = Symbol('maybe known');

/** Report keys in one map: small runs and tests, where no DuckDB is at hand. */
export class MemoryKnownReports implements KnownReports {
  private readonly map = new Map<string, number>();

  peek(key: string): number | undefined {
    return this.map.get(key);
  }

  async find(keys: readonly string[]): Promise<Map<string, number>> {
    return new Map(keys.filter((k) => this.map.has(k)).map((k) => [k, this.map.get(k)!]));
  }

  add(key: string, origin: number): void {
    this.map.set(key, origin);
  }

  async settle(): Promise<void> {}

  async keys(): Promise<string[]> {
    return [...this.map.keys()].sort();
  }
}

/**
 * An open-addressing set of 64-bit string fingerprints in two typed arrays (two FNV-1a style lanes
 * of 32 bits): membership without the strings, 8 bytes a slot, at most three quarters of the slots
 * used: the 100M-invoice feed's 80M report keys fit 2^27 slots (1 GiB) rather than 2^28 (2 GiB, and
 * 3 GiB while growing into them); linear probing stays short at that load.
 */
export class FingerprintSet {
  private hi = new Uint32Array(1 << 16);
  private lo = new Uint32Array(1 << 16);
  private used = 0;

  get size(): number {
    return this.used;
  }

  /** Memory the set holds (its two arrays). */
  get bytes(): number {
    return this.hi.byteLength + this.lo.byteLength;
  }

  private static print(s: string): [number, number] {
    let a = 0x811c9dc5;
    let b = 0x01000193;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, 0x01000193);
      b = Math.imul(b ^ c, 0x5bd1e995);
      b ^= b >>> 13;
    }
    a = Math.imul(a ^ (a >>> 16), 0x85ebca6b);
    a ^= a >>> 13;
    // 0 marks an empty slot: a fingerprint of 0/0 is moved to 0/1.
    const hi = a >>> 0;
    const lo = b >>> 0 || (hi === 0 ? 1 : 0);
    return [hi, lo];
  }

  private slot(hi: number, lo: number): number {
    const mask = this.hi.length - 1;
    let i = (hi ^ Math.imul(lo, 0x9e3779b1)) & mask;
    while (this.hi[i] !== 0 || this.lo[i] !== 0) {
      if (this.hi[i] === hi && this.lo[i] === lo) return i;
      i = (i + 1) & mask;
    }
    return i;
  }

  has(s: string): boolean {
    const [hi, lo] = FingerprintSet.print(s);
    const i = this.slot(hi, lo);
    return this.hi[i] === hi && this.lo[i] === lo && (hi !== 0 || lo !== 0);
  }

  add(s: string): void {
    const [hi, lo] = FingerprintSet.print(s);
    const i = this.slot(hi, lo);
    if (this.hi[i] === hi && this.lo[i] === lo) return;
    this.hi[i] = hi;
    this.lo[i] = lo;
    if (++this.used * 4 > this.hi.length * 3) this.grow();
  }

  private grow(): void {
    const [oldHi, oldLo] = [this.hi, this.lo];
    this.hi = new Uint32Array(oldHi.length * 2);
    this.lo = new Uint32Array(oldLo.length * 2);
    for (let j = 0; j < oldHi.length; j++) {
      if (oldHi[j] === 0 && oldLo[j] === 0) continue;
      const i = this.slot(oldHi[j]!, oldLo[j]!);
      this.hi[i] = oldHi[j]!;
      this.lo[i] = oldLo[j]!;
    }
  }
}

const lit = (s: string) => `'${s.replace(/'/g, "''")}'`;
/** Accepted keys are appended to the table once this many wait (and before every lookup). */
const FLUSH_AT = 20_000;

/** Report keys in a DuckDB table, with a fingerprint set in JavaScript as the filter in front of it. */
export class DuckDBKnownReports implements KnownReports {
  private readonly prints = new FingerprintSet();
  private pending: [string, number][] = [];

  private constructor(
    private readonly db: DuckDBEngine,
    private readonly table: string,
  ) {}

  /**
   * A new table in `db` (temporary: gone with the connection), empty. `load` fills it from the lake
   * with one statement; `add` appends this run's reports.
   */
  static async create(db: DuckDBEngine): Promise<DuckDBKnownReports> {
    const table = `known_reports_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
    await db.execute(`CREATE TEMP TABLE ${table} (k VARCHAR, origin BIGINT)`);
    return new DuckDBKnownReports(db, table);
  }

  /**
   * Adds reports from a relation with text columns report_id, provider, company_key, report_date
   * (the index's or the batch files' rows), all with origin IN_LAKE (0): one statement, then the keys
   * are read back a chunk at a time for the fingerprints (the strings are not kept).
   */
  async load(relation: string): Promise<void> {
    const stage = `${this.table}_load`;
    await this.db.execute(`CREATE TEMP TABLE ${stage} AS
      SELECT 'i:' || report_id AS k FROM ${relation} r
      UNION ALL SELECT 'k:' || provider || '|' || company_key || '|' || report_date FROM ${relation} r`);
    try {
      await this.db.execute(`INSERT INTO ${this.table} SELECT k, 0 FROM ${stage}`);
      for await (const result of this.db.streamStatements(`SELECT k FROM ${stage}`)) {
        for await (const chunk of result.chunks) for (const row of chunk) this.prints.add(row[0] as string);
      }
    } finally {
      await this.db.execute(`DROP TABLE IF EXISTS ${stage}`);
    }
  }

  peek(key: string): undefined | typeof MAYBE {
    return this.prints.has(key) ? MAYBE : undefined;
  }

  async find(keys: readonly string[]): Promise<Map<string, number>> {
    await this.flush();
    const out = new Map<string, number>();
    for (let i = 0; i < keys.length; i += 5_000) {
      const list = keys.slice(i, i + 5_000).map(lit).join(', ');
      const r = await this.db.query(`SELECT k, min(origin) AS origin FROM ${this.table} WHERE k IN (${list}) GROUP BY k`);
      for (const row of r.rows) out.set(String(row.k), Number(row.origin));
    }
    return out;
  }

  add(key: string, origin: number): void {
    this.prints.add(key);
    this.pending.push([key, origin]);
  }

  /** Writes the keys added since the last write once enough wait (call between pieces of a file). */
  async settle(): Promise<void> {
    if (this.pending.length >= FLUSH_AT) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const rows = this.pending;
    this.pending = [];
    await this.db.appendToTempTable(this.table, rows);
  }

  /** Drops the table (a state loaded from an index found unusable). */
  async drop(): Promise<void> {
    this.pending = [];
    await this.db.execute(`DROP TABLE IF EXISTS ${this.table}`);
  }

  async keys(): Promise<string[]> {
    await this.flush();
    return (await this.db.query(`SELECT DISTINCT k FROM ${this.table} ORDER BY k`)).rows.map((r) => String(r.k));
  }
}
