import type { Dialect } from '../dialect/dialect.js';

export const duckdbDialect: Dialect = {
  name: 'duckdb',
  addDays: (d, n) => `CAST(${d} + CAST(${n} AS INTEGER) * INTERVAL '1' DAY AS DATE)`,
  daysBetween: (from, to) => `date_diff('day', ${from}, ${to})`,
  monthEnd: (d) => `last_day(${d})`,
  monthStart: (d) => `CAST(date_trunc('month', ${d}) AS DATE)`,
  addMonths: (d, n) => `CAST(${d} + CAST(${n} AS INTEGER) * INTERVAL '1' MONTH AS DATE)`,
  // DuckDB's date_diff('month') counts boundaries crossed, which is the calendar-month count we want.
  monthsBetween: (from, to) => `date_diff('month', ${from}, ${to})`,
  daysInMonth: (d) => `day(last_day(${d}))`,
  intDiv: (a, b) => `CAST(trunc(CAST(${a} AS DOUBLE) / CAST(${b} AS DOUBLE)) AS BIGINT)`,
  ratio: (a, b) => `(CAST(${a} AS DOUBLE) / NULLIF(CAST(${b} AS DOUBLE), 0))`,
  formatDate: (d) => `strftime(${d}, '%Y-%m-%d')`,
  regexpLike: (v, p) => `regexp_matches(${v}, ${p})`,
  regexpReplaceAll: (v, p, r) => `regexp_replace(${v}, ${p}, ${r}, 'g')`,
  dateLiteral: (iso) => `DATE '${assertIsoDate(iso)}'`,
  monthStartSequence: (from, to) =>
    `generate_series(CAST(date_trunc('month', ${from}) AS DATE), CAST(${to} AS DATE), INTERVAL '1' MONTH)`,
  // Ranking every row by version is a window over the whole table (0.7 CPU-s per million rows), yet
  // in most lakes no key repeats (one batch per table, or daily drops of new keys): only the rows of
  // keys that occur more than once are ranked; the others are their own latest version. Grouping by
  // the key alone is a fraction of the window's cost. NOT MATERIALIZED: each branch reads the raw
  // files itself (a projection of them) instead of a copy of every column.
  latestVersions: (source, key) => {
    const same = key.map((k) => `src.${k} IS NOT DISTINCT FROM r.${k}`).join(' AND ');
    const keys = key.join(', ');
    return (
      `(WITH src AS NOT MATERIALIZED (SELECT * FROM ${source} s), ` +
      `repeated AS (SELECT ${keys} FROM src GROUP BY ${keys} HAVING count(*) > 1) ` +
      `SELECT src.* FROM src ANTI JOIN repeated r ON ${same} ` +
      `UNION ALL ` +
      `SELECT * EXCLUDE (version_rank) FROM (SELECT src.*, row_number() OVER (PARTITION BY ${key.map((k) => `src.${k}`).join(', ')} ` +
      `ORDER BY src.ingest_date DESC, src.filename DESC) AS version_rank FROM src SEMI JOIN repeated r ON ${same}) versions ` +
      `WHERE versions.version_rank = 1)`
    );
  },
};

export function assertIsoDate(iso: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) throw new Error(`not an ISO date: ${iso}`);
  return iso;
}
