import type { Dialect } from '../dialect/dialect.js';
import { assertIsoDate } from '../duckdb/duckdb-dialect.js';

export const athenaDialect: Dialect = {
  name: 'athena',
  addDays: (d, n) => `date_add('day', CAST(${n} AS BIGINT), ${d})`,
  daysBetween: (from, to) => `date_diff('day', ${from}, ${to})`,
  monthEnd: (d) => `last_day_of_month(${d})`,
  monthStart: (d) => `CAST(date_trunc('month', ${d}) AS DATE)`,
  addMonths: (d, n) => `date_add('month', CAST(${n} AS BIGINT), ${d})`,
  // Trino's date_diff('month') counts whole months, so compare the month starts instead.
  monthsBetween: (from, to) => `date_diff('month', date_trunc('month', ${from}), date_trunc('month', ${to}))`,
  daysInMonth: (d) => `day_of_month(last_day_of_month(${d}))`,
  intDiv: (a, b) => `CAST(truncate(CAST(${a} AS DOUBLE) / CAST(${b} AS DOUBLE)) AS BIGINT)`,
  ratio: (a, b) => `(CAST(${a} AS DOUBLE) / NULLIF(CAST(${b} AS DOUBLE), 0))`,
  formatDate: (d) => `date_format(${d}, '%Y-%m-%d')`,
  regexpLike: (v, p) => `regexp_like(${v}, ${p})`,
  regexpReplaceAll: (v, p, r) => `regexp_replace(${v}, ${p}, ${r})`,
  dateLiteral: (iso) => `DATE '${assertIsoDate(iso)}'`,
  monthStartSequence: (from, to) =>
    `sequence(CAST(date_trunc('month', ${from}) AS DATE), CAST(${to} AS DATE), INTERVAL '1' MONTH)`,
  // Trino has no string_agg; array_join leaves NULL elements out, as string_agg does.
  stringAgg: (v, sep, order) => `array_join(array_agg(${v} ORDER BY ${order}), ${sep})`,
  // Trino inlines a WITH query at every reference, so the DuckDB form (the raw rows read three times)
  // would triple the scan here: one window over all rows instead.
  latestVersions: (source, key) => windowedLatestVersions(source, key),
};

/** Every row ranked by version within its key, the latest kept: the form that reads `source` once. */
export function windowedLatestVersions(source: string, key: readonly string[]): string {
  return (
    `(SELECT * FROM (SELECT src.*, row_number() OVER (PARTITION BY ${key.map((k) => `src.${k}`).join(', ')} ` +
    `ORDER BY src.ingest_date DESC, src.filename DESC) AS version_rank FROM ${source} src) versions WHERE versions.version_rank = 1)`
  );
}
