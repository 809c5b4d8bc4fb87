import type { ReasonCount } from './canonical-csv/convert.js';

/** A rejected line of a feed parsed in memory (credit reports, fx rates, bank statements). */
export interface LineRejectLike {
  line: number;
  column: string;
  reason: string;
  detail: string;
}

/**
 * The ten most frequent (reason, column) pairs with one sample each: the summary every ingest prints.
 * Feeds that quarantine through DuckDB count in SQL instead; this is the same summary for the feeds
 * parsed in memory, so their output reads the same.
 */
export function topReasons(source: string, rejects: readonly LineRejectLike[]): ReasonCount[] {
  const tally = new ReasonTally();
  tally.add(rejects);
  return tally.top(source);
}

/**
 * `topReasons` over rejects given a batch at a time (the credit-report feed's pieces), holding one
 * sample and a count per (reason, column) rather than every reject: the same summary as `topReasons`
 * over all of them in the order given.
 */
export class ReasonTally {
  private readonly groups = new Map<string, { r: LineRejectLike; n: number }>();

  add(rejects: readonly LineRejectLike[]): void {
    for (const r of rejects) {
      const k = `${r.reason}\u0000${r.column}`;
      const g = this.groups.get(k);
      if (g) g.n++;
      else this.groups.set(k, { r: { line: r.line, column: r.column, reason: r.reason, detail: r.detail }, n: 1 });
    }
  }

  top(source: string): ReasonCount[] {
    return [...this.groups.values()]
      .sort((a, b) => b.n - a.n || a.r.reason.localeCompare(b.r.reason))
      .slice(0, 10)
      .map(({ r, n }) => ({ reason: r.reason, column: r.column, rows: n, sample: { file: source, line: r.line, column: r.column, detail: r.detail } }));
  }
}
