import type { ResultColumn, Row } from '../warehouse/engine.js';

export const FORMATS = ['table', 'csv', 'json'] as const;
export type OutputFormat = (typeof FORMATS)[number];

/** One value of a result row, JSON-safe (DECIMAL and BIGINT as exact strings, dates as ISO text). */
export type Cell = Row[string] | object | undefined;

const NUMERIC = /^(DECIMAL|NUMERIC|TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL)/i;

const FLOATING = /^(FLOAT|DOUBLE|REAL)$/i;

/** Rows the table format shows by default, like the DuckDB CLI: the first half and the last half. */
export const DEFAULT_MAX_ROWS = 40;

/**
 * A binary float for a person to read: two decimals from 1 up, four significant digits below
 * (a ratio of 0.0053 must not print as 0.01). Only the table format rounds; csv and json keep every
 * digit for programs.
 */
export function readableFloat(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  const abs = Math.abs(v);
  if (abs >= 1) return v.toFixed(2);
  return String(Number(v.toPrecision(4)));
}

function cell(v: Cell, type = ''): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'object') return JSON.stringify(v);
  if (typeof v === 'number' && FLOATING.test(type)) return readableFloat(v);
  return String(v);
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

/**
 * The aligned text table for people, fed row by row in bounded memory: it keeps the first and the
 * last rows of a result (like the DuckDB CLI) and counts the rest, so a 10-million-row answer costs
 * no more than a 40-row one. Numbers right-aligned, floats rounded for reading, a rule under the
 * header, a row count at the end.
 */
export class TablePreview {
  private readonly head: string[][] = [];
  private readonly tail: string[][] = [];
  private tailStart = 0;
  private count = 0;
  private readonly headSize: number;
  private readonly tailSize: number;
  private readonly clip: (s: string) => string;

  constructor(
    private readonly columns: readonly ResultColumn[],
    opts: { maxRows?: number; maxCellWidth?: number } = {},
  ) {
    const maxRows = opts.maxRows ?? DEFAULT_MAX_ROWS;
    // 0 (or anything not finite) means every row.
    const limit = maxRows > 0 && Number.isFinite(maxRows) ? maxRows : Infinity;
    this.headSize = limit === Infinity ? Infinity : Math.ceil(limit / 2);
    this.tailSize = limit === Infinity ? 0 : Math.floor(limit / 2);
    const max = opts.maxCellWidth ?? 60;
    this.clip = (s) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
  }

  /** Adds one row, its values in column order. */
  add(values: readonly Cell[]): void {
    this.count++;
    if (this.head.length < this.headSize) {
      this.head.push(this.render(values));
      return;
    }
    if (!this.tailSize) return;
    // Rendered lazily would keep raw values alive; rendering the kept rows is cheap.
    if (this.tail.length < this.tailSize) this.tail.push(this.render(values));
    else {
      this.tail[this.tailStart] = this.render(values);
      this.tailStart = (this.tailStart + 1) % this.tailSize;
    }
  }

  get rows(): number {
    return this.count;
  }

  private render(values: readonly Cell[]): string[] {
    return this.columns.map((c, i) => this.clip(cell(values[i], c.type)));
  }

  /** The table; `footer: false` leaves out the row count line. */
  toString(opts: { footer?: boolean } = {}): string {
    const tail = [...this.tail.slice(this.tailStart), ...this.tail.slice(0, this.tailStart)];
    const shown = this.head.length + tail.length;
    const elided = this.count > shown;
    const widths = this.columns.map((c) => c.name.length);
    for (const r of [...this.head, ...tail]) for (let i = 0; i < r.length; i++) widths[i] = Math.max(widths[i]!, r[i]!.length);
    if (elided) for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, 1);
    const right = this.columns.map((c) => NUMERIC.test(c.type));
    const fmt = (vals: readonly string[]) =>
      vals.map((v, i) => (right[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
    const lines = [fmt(this.columns.map((c) => c.name)), widths.map((w) => '-'.repeat(w)).join('  ')];
    for (const r of this.head) lines.push(fmt(r));
    if (elided) lines.push(fmt(this.columns.map(() => '·')));
    for (const r of tail) lines.push(fmt(r));
    if (opts.footer !== false) {
      lines.push(elided ? `(${plural(this.count, 'row')}, ${shown.toLocaleString('en-US')} shown; --max-rows 0 shows all)` : `(${plural(this.count, 'row')})`);
    }
    return `${lines.join('\n')}\n`;
  }
}

/** Aligned text table of a small, already materialised result (every row). */
export function formatTable(columns: readonly ResultColumn[], rows: readonly Row[], opts: { maxCellWidth?: number; maxRows?: number } = {}): string {
  const table = new TablePreview(columns, { maxRows: opts.maxRows ?? 0, maxCellWidth: opts.maxCellWidth });
  for (const r of rows) table.add(columns.map((c) => r[c.name]));
  return table.toString();
}

function csvField(v: Cell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The CSV header line (RFC 4180, CRLF). */
export function csvHeader(columns: readonly ResultColumn[]): string {
  return `${columns.map((c) => csvField(c.name)).join(',')}\r\n`;
}

/** CSV lines of rows given as values in column order; NULL is an empty field. */
export function csvLines(rows: readonly (readonly Cell[])[]): string {
  let out = '';
  for (const r of rows) out += `${r.map(csvField).join(',')}\r\n`;
  return out;
}

/** RFC 4180 CSV with a header row; NULL is an empty field. */
export function formatCsv(columns: readonly ResultColumn[], rows: readonly Row[]): string {
  return csvHeader(columns) + csvLines(rows.map((r) => columns.map((c) => r[c.name])));
}

/** One row as a JSON object in column order, keyed by column name. */
export function jsonRow(columns: readonly ResultColumn[], values: readonly Cell[]): string {
  const o: Record<string, unknown> = {};
  columns.forEach((c, i) => (o[c.name] = values[i] ?? null));
  return JSON.stringify(o);
}

/** A JSON array of row objects; DECIMAL and BIGINT stay exact strings. */
export function formatJson(columns: readonly ResultColumn[], rows: readonly Row[]): string {
  if (!rows.length) return '[]\n';
  return `[\n${rows.map((r) => jsonRow(columns, columns.map((c) => r[c.name]))).join(',\n')}\n]\n`;
}

export function formatRows(format: OutputFormat, columns: readonly ResultColumn[], rows: readonly Row[], opts: { maxRows?: number } = {}): string {
  if (format === 'csv') return formatCsv(columns, rows);
  if (format === 'json') return formatJson(columns, rows);
  return formatTable(columns, rows, { maxRows: opts.maxRows });
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
