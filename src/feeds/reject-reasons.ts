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
  const groups = new Map<string, { r: LineRejectLike; n: number }>();
  for (const r of rejects) {
    const k = `${r.reason}\u0000${r.column}`;
    const g = groups.get(k);
    if (g) g.n++;
    else groups.set(k, { r, n: 1 });
  }
  return [...groups.values()]
    .sort((a, b) => b.n - a.n || a.r.reason.localeCompare(b.r.reason))
    .slice(0, 10)
    .map(({ r, n }) => ({ reason: r.reason, column: r.column, rows: n, sample: { file: source, line: r.line, column: r.column, detail: r.detail } }));
}
