/**
 * The few SQL differences between DuckDB and Athena (Trino) that the models need, behind one interface.
 * Models call these through template helpers (`{{ add_days('d', 3) }}`), so a model file is written
 * once in the portable subset. See ../../../sql/README.md and sql-portability.md.
 */
export interface Dialect {
  readonly name: 'duckdb' | 'athena' | 'trino';
  /** d + n days, as a DATE (DuckDB returns a TIMESTAMP for date + interval). */
  addDays(date: string, days: string | number): string;
  /** Whole days from `from` to `to` (to − from). */
  daysBetween(from: string, to: string): string;
  /** Last day of the month of d, as a DATE. */
  monthEnd(date: string): string;
  /** First day of the month of d, as a DATE. */
  monthStart(date: string): string;
  /** d shifted by n whole months (month-end safe: Jan 31 + 1 month = Feb 28/29). */
  addMonths(date: string, months: string | number): string;
  /** Whole months from `from` to `to`, counting calendar months (2024-01-31 → 2024-02-01 = 1). */
  monthsBetween(from: string, to: string): string;
  /** Number of days in the month of d. */
  daysInMonth(date: string): string;
  /** Integer division truncating toward zero on both engines. */
  intDiv(a: string, b: string): string;
  /** Decimal division that never truncates: both sides cast to DOUBLE for ratios, NULL on zero. */
  ratio(numerator: string, denominator: string): string;
  /** `YYYY-MM-DD` text of a date. */
  formatDate(date: string): string;
  regexpLike(value: string, pattern: string): string;
  /** Every match of pattern replaced (DuckDB's regexp_replace replaces the first unless told 'g'). */
  regexpReplaceAll(value: string, pattern: string, replacement: string): string;
  /** A DATE literal. */
  dateLiteral(iso: string): string;
  /**
   * Array of the first days of every month from the month of `from` to `to`, for
   * `CROSS JOIN UNNEST(…) AS s(m)` with non-constant bounds; cast the element with CAST(m AS DATE).
   */
  monthStartSequence(from: string, to: string): string;
  /**
   * An aggregate: the group's `value`s concatenated in `orderBy` order with `separator` between them
   * (NULL values left out), as a VARCHAR.
   */
  stringAgg(value: string, separator: string, orderBy: string): string;
  /**
   * A staging model's "latest version wins": the rows of `source` (a raw relation with `ingest_date`
   * and `filename`) that are the latest ingested version of their key (`key`: quoted column names),
   * by ingest day, then batch file name; a parenthesised relation with the source's columns.
   */
  latestVersions(source: string, key: readonly string[]): string;
  /**
   * The same rows as `latestVersions`, in the form cheapest to compute once: what a build runs to
   * materialise a staging model (runner.ts, the build target). Absent: `latestVersions`. Views keep
   * `latestVersions`, since a view's SQL is expanded again at every reference.
   */
  latestVersionsOnce?(source: string, key: readonly string[]): string;
}
