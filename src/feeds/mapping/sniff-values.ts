import type { WarehouseEngine } from '../../warehouse/engine.js';
import { quoteIdent } from '../../schema/index.js';
import { AUTO_DATE_FORMATS, amountPattern, notationFor, sqlString, toStrptime, type NumberNotation } from '../csv-dialect/formats.js';
import { columnUsages, dateText, kindOf, resolveColumn, MappingError, type Formats } from './compile.js';
import type { Mapping } from './schema.js';
import { canonicalTable } from '../../schema/index.js';

/**
 * Decides the date format of every date column and the number notation of the amounts by looking
 * at ALL values of the column in DuckDB (not a sample): a format is taken only when it is the single
 * reading of the data. Two readings that both fit every value but give different dates or amounts
 * (`05-06-2013`, `1.234`) are an error that names the setting to add; a column that mixes formats is
 * an error with an example line of each.
 */

export interface ResolvedFormats {
  formats: Formats;
  notes: string[];
}

const valueSql = (col: string) => `NULLIF(trim(${quoteIdent(col)}), '')`;
const dateValueSql = (col: string) => dateText(valueSql(col));
const parse = (col: string, pattern: string) => `try_strptime(${dateValueSql(col)}, ${sqlString(toStrptime(pattern))})`;

async function one(engine: WarehouseEngine, sql: string): Promise<Record<string, unknown>> {
  return (await engine.query(sql)).rows[0] ?? {};
}

async function resolveDateColumn(engine: WarehouseEngine, relation: string, col: string): Promise<{ pattern: string; note?: string }> {
  const cands = AUTO_DATE_FORMATS;
  const counts = await one(
    engine,
    `SELECT count(${dateValueSql(col)}) AS n, ${cands.map((f, i) => `count(${parse(col, f)}) AS c${i}`).join(', ')} FROM ${relation}`,
  );
  const n = Number(counts.n);
  if (n === 0) return { pattern: 'yyyy-mm-dd' };
  const fits = cands.map((f, i) => ({ f, c: Number(counts[`c${i}`]) }));
  const full = fits.filter((x) => x.c === n);
  if (full.length >= 1) {
    const [first, ...rest] = full;
    for (const other of rest) {
      const diff = await one(
        engine,
        `SELECT count(*) AS d, min("__line") AS line, arg_min(${dateValueSql(col)}, "__line") AS v FROM ${relation}
         WHERE ${parse(col, first!.f)} IS DISTINCT FROM ${parse(col, other.f)}`,
      );
      if (Number(diff.d) > 0) {
        throw new MappingError(
          `column "${col}": dates fit both ${first!.f} and ${other.f} (e.g. line ${diff.line} "${diff.v}"), which read them differently; set date_format in the mapping (or --date-format)`,
        );
      }
    }
    return { pattern: first!.f, note: `column ${col}: dates read as ${first!.f} (every value fits, no other reading does)` };
  }
  const best = fits.reduce((a, b) => (b.c > a.c ? b : a));
  if (best.c === 0) return { pattern: 'yyyy-mm-dd', note: `column ${col}: no value is a date in a known format; every row will be rejected` };
  const others = cands.filter((f) => f !== best.f);
  const mixed = await one(
    engine,
    `SELECT count(*) AS m, min("__line") AS line, arg_min(${dateValueSql(col)}, "__line") AS v FROM ${relation}
     WHERE ${dateValueSql(col)} IS NOT NULL AND ${parse(col, best.f)} IS NULL AND (${others.map((f) => `${parse(col, f)} IS NOT NULL`).join(' OR ')})`,
  );
  if (Number(mixed.m) > 0) {
    throw new MappingError(
      `column "${col}" mixes date formats: ${best.c} of ${n} values fit ${best.f}, but ${mixed.m} fit another format (e.g. line ${mixed.line} "${mixed.v}"); fix the export or set date_format so the others are rejected`,
    );
  }
  return { pattern: best.f, note: `column ${col}: dates read as ${best.f}; ${n - best.c} value(s) fit no date format and are rejected` };
}

async function resolveNotation(engine: WarehouseEngine, relation: string, cols: string[]): Promise<{ n: NumberNotation; note?: string }> {
  if (cols.length === 0) return { n: notationFor('.') };
  const comma = notationFor(',');
  const dot = notationFor('.');
  const vals = `(${cols.map((c) => `SELECT "__line", ${valueSql(c)} AS v FROM ${relation}`).join(' UNION ALL ')})`;
  const r = await one(
    engine,
    `SELECT count(v) AS n, count(*) FILTER (WHERE regexp_full_match(v, ${sqlString(amountPattern(comma))})) AS c,
       count(*) FILTER (WHERE regexp_full_match(v, ${sqlString(amountPattern(dot))})) AS d,
       count(*) FILTER (WHERE v LIKE '%.%' OR v LIKE '%,%') AS sep,
       arg_min(v, "__line") FILTER (WHERE v LIKE '%.%' OR v LIKE '%,%') AS example,
       min("__line") FILTER (WHERE v LIKE '%.%' OR v LIKE '%,%') AS line
     FROM ${vals}`,
  );
  const n = Number(r.n);
  const c = Number(r.c);
  const d = Number(r.d);
  const names = cols.join(', ');
  if (c === n && d === n) {
    if (Number(r.sep) > 0) {
      throw new MappingError(
        `amounts in ${names} read both with a decimal comma and with a decimal point (e.g. line ${r.line} "${r.example}"); set decimal in the mapping (or --decimal)`,
      );
    }
    return { n: dot };
  }
  if (c === n) return { n: comma, note: `amounts (${names}): decimal comma, thousands point` };
  if (d === n) return { n: dot, note: `amounts (${names}): decimal point` };
  if (c > 0 && d > 0 && c < n && d < n && c + d > n) {
    // Both notations occur: some values only fit one, others only the other.
    throw new MappingError(`amounts in ${names} mix decimal comma and decimal point notations; set decimal in the mapping (or --decimal)`);
  }
  const pick = c >= d ? comma : dot;
  return { n: pick, note: `amounts (${names}): decimal "${pick.decimal}"; ${n - Math.max(c, d)} value(s) fit neither notation and are rejected` };
}

/** Resolves every `auto` setting of the mapping against the data in `relation` (VARCHAR columns). */
export async function resolveFormats(
  engine: WarehouseEngine,
  relation: string,
  header: readonly string[],
  mapping: Mapping,
  opts: { xlsx?: boolean } = {},
): Promise<ResolvedFormats> {
  const usages = Object.entries(mapping.tables).flatMap(([name, target]) => {
    const table = canonicalTable(name);
    return Object.entries(target.columns).flatMap(([colName, expr]) => {
      const col = table.columns.find((c) => c.name === colName);
      return col ? columnUsages(expr, kindOf(col.sqlType)) : [];
    });
  });
  const notes: string[] = [];
  const dates: Record<string, string> = {};
  for (const u of usages.filter((x) => x.kind === 'date')) {
    const col = resolveColumn(u.column, header);
    if (dates[col]) continue;
    const explicit = u.format ?? (mapping.source.date_format !== 'auto' ? mapping.source.date_format : undefined);
    if (explicit) {
      toStrptime(explicit); // validates the pattern early
      dates[col] = explicit;
      continue;
    }
    const r = await resolveDateColumn(engine, relation, col);
    dates[col] = r.pattern;
    if (r.note) notes.push(r.note);
  }
  let numbers: NumberNotation;
  if (opts.xlsx) numbers = notationFor('.', '');
  else if (mapping.source.decimal !== 'auto') numbers = notationFor(mapping.source.decimal, mapping.source.thousands);
  else {
    const moneyCols = [...new Set(usages.filter((x) => x.kind === 'money').map((x) => resolveColumn(x.column, header)))];
    const r = await resolveNotation(engine, relation, moneyCols);
    numbers = r.n;
    if (r.note) notes.push(r.note);
  }
  return {
    formats: { dates, numbers, extraDatePatterns: opts.xlsx ? ['yyyy-mm-dd'] : undefined, roundMoney: opts.xlsx },
    notes,
  };
}
