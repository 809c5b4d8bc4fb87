import { canonicalTable, quoteIdent, type TableDef } from '../../schema/index.js';
import { amountNormalizeSql, amountPattern, dateParseSql, sqlString, type NumberNotation } from '../csv-dialect/formats.js';
import { CREDIT_NOTE_ID_PREFIX, documentTypeExpr, type Expr, type Filter, type Mapping } from './schema.js';

/**
 * Compiles a mapping into DuckDB SQL over a relation of VARCHAR source columns (plus `__line`). Every
 * parse that can fail carries a check whose reason names the source column, the value and what was
 * expected, so a row is either mapped exactly or rejected with a readable reason; never guessed.
 */

export type Kind = 'text' | 'date' | 'money' | 'int';

export class MappingError extends Error {}

export interface Check {
  /** SQL predicate, TRUE for a bad row. */
  fail: string;
  /** Stable text (rejects are counted per reason), without row values. */
  reason: string;
  /** SQL VARCHAR naming the source column and the offending value. */
  detail: string;
}

interface Compiled {
  sql: string;
  checks: Check[];
}

/** How source columns are read, after sniffing: one date pattern per date column, one notation for amounts. */
export interface Formats {
  dates: Record<string, string>;
  numbers: NumberNotation;
  /** Extra date patterns accepted everywhere (xlsx date cells arrive as ISO). */
  extraDatePatterns?: string[];
  /** xlsx numbers are binary floats printed with up to 17 digits: round to cents instead of rejecting. */
  roundMoney?: boolean;
}

export function kindOf(sqlType: string): Kind {
  if (sqlType === 'DATE') return 'date';
  if (sqlType.startsWith('DECIMAL')) return 'money';
  if (sqlType === 'INTEGER' || sqlType === 'BIGINT') return 'int';
  return 'text';
}

/** SAP and others write an empty date as zeros (00.00.0000, 00000000): that is no date, not a bad one. */
export function dateText(textSql: string): string {
  return `CASE WHEN regexp_full_match(${textSql}, '[0./ -]+') THEN NULL ELSE ${textSql} END`;
}

/** The file's columns for a message: a hostile header (a 50,000-character name) stays one short line. */
export function listColumns(header: readonly string[]): string {
  const shown = header.slice(0, 40).map((h) => (h.length > 40 ? `${h.slice(0, 40)}…` : h));
  return shown.join(', ') + (header.length > 40 ? ` and ${header.length - 40} more` : '');
}

export function resolveColumn(name: string, header: readonly string[]): string {
  if (header.includes(name)) return name;
  const norm = (s: string) => s.trim().toLowerCase();
  const hit = header.find((h) => norm(h) === norm(name));
  if (hit) return hit;
  throw new MappingError(`the mapping refers to column "${name}", which the file does not have (columns: ${listColumns(header)})`);
}

/** Fails once, naming every column the mapping reads that the file lacks (not just the first). */
export function checkColumns(mapping: Mapping, header: readonly string[]): void {
  const wanted = new Set<string>();
  for (const [name, target] of Object.entries(mapping.tables)) {
    const table = canonicalTable(name);
    for (const [col, expr] of Object.entries(target.columns)) {
      const def = table.columns.find((c) => c.name === col);
      if (def) for (const u of columnUsages(expr, kindOf(def.sqlType))) wanted.add(u.column);
    }
    for (const f of target.where ?? []) wanted.add(f.column);
  }
  const missing = [...wanted].filter((w) => {
    try {
      resolveColumn(w, header);
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length) {
    const list = missing.map((m) => `"${m}"`).join(', ');
    throw new MappingError(`the mapping refers to column${missing.length > 1 ? 's' : ''} ${list}, which the file does not have (columns: ${listColumns(header)})`);
  }
}

/** Every (source column, kind, explicit date format) an expression reads, for sniffing. */
export function columnUsages(expr: Expr, want: Kind, out: { column: string; kind: Kind; format?: string }[] = []) {
  if (typeof expr === 'string') out.push({ column: expr, kind: want });
  else if ('column' in expr) out.push({ column: expr.column, kind: want, format: expr.date_format });
  else if ('add_days' in expr) {
    columnUsages(expr.add_days.date, 'date', out);
    columnUsages(expr.add_days.days, 'int', out);
  } else if ('days_between' in expr) {
    columnUsages(expr.days_between.from, 'date', out);
    columnUsages(expr.days_between.to, 'date', out);
  } else if ('first_nonzero' in expr) expr.first_nonzero.forEach((e) => columnUsages(e, want, out));
  else if ('signed' in expr) {
    columnUsages(expr.signed.amount, want, out);
    columnUsages(expr.signed.indicator, 'text', out);
  } else if ('negate_when' in expr) {
    columnUsages(expr.negate_when.amount, want, out);
    columnUsages(expr.negate_when.value, 'text', out);
  } else if ('by_sign' in expr) columnUsages(expr.by_sign.value, 'money', out);
  else if ('map' in expr) columnUsages(expr.map.value, 'text', out);
  else if ('concat' in expr) expr.concat.forEach((e) => columnUsages(e, 'text', out));
  else if ('coalesce' in expr) expr.coalesce.forEach((e) => columnUsages(e, want, out));
  else if ('when' in expr) {
    out.push({ column: expr.when.column, kind: 'text' });
    columnUsages(expr.when.then, want, out);
    if (expr.when.else !== undefined) columnUsages(expr.when.else, want, out);
  }
  else if ('abs' in expr) columnUsages(expr.abs, want, out);
  else if ('negate' in expr) columnUsages(expr.negate, want, out);
  return out;
}

export class ExprCompiler {
  constructor(
    private readonly header: readonly string[],
    private readonly formats: Formats,
  ) {}

  private text(col: string): string {
    return `NULLIF(trim(${quoteIdent(col)}), '')`;
  }

  /**
   * Parsed source values and their failure flags, computed once per (column, kind, format) in an
   * inner SELECT: an amount read by two expressions (amount and document type) is parsed once.
   */
  readonly defs: string[] = [];
  private readonly cache = new Map<string, Compiled>();

  private ref(name: string, want: Kind, dateFormat?: string): Compiled {
    const col = resolveColumn(name, this.header);
    const key = `${col}\u0000${want}\u0000${dateFormat ?? ''}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const raw = this.parse(col, want, dateFormat);
    if (want === 'text') {
      this.cache.set(key, raw);
      return raw;
    }
    const i = this.cache.size;
    this.defs.push(`${raw.sql} AS "__v${i}"`);
    const checks = raw.checks.map((k, j) => {
      this.defs.push(`coalesce(${k.fail}, false) AS "__f${i}_${j}"`);
      return { ...k, fail: `"__f${i}_${j}"` };
    });
    const out = { sql: `"__v${i}"`, checks };
    this.cache.set(key, out);
    return out;
  }

  private parse(col: string, want: Kind, dateFormat?: string): Compiled {
    const t = this.text(col);
    const detail = `${sqlString(`${col} "`)} || ${t} || '"'`;
    switch (want) {
      case 'text':
        return { sql: t, checks: [] };
      case 'date': {
        const pattern = dateFormat ?? this.formats.dates[col];
        if (!pattern) throw new MappingError(`no date format resolved for column "${col}"`);
        const sql = dateParseSql(dateText(t), pattern, this.formats.extraDatePatterns);
        return { sql, checks: [{ fail: `(${dateText(t)} IS NOT NULL AND ${sql} IS NULL)`, reason: `not a date in format ${pattern}`, detail }] };
      }
      case 'int': {
        const sql = `TRY_CAST(${t} AS INTEGER)`;
        return {
          sql,
          checks: [{ fail: `(${t} IS NOT NULL AND (NOT regexp_full_match(${t}, '[+-]?\\d{1,9}') OR ${sql} IS NULL))`, reason: 'not a whole number', detail }],
        };
      }
      case 'money': {
        const n = this.formats.numbers;
        const norm = amountNormalizeSql(t, n);
        // DECIMAL(18,2) casts are fast; DECIMAL(38,x) ones are ~50x slower, so precision and size are
        // checked on the normalized text instead of on a wide decimal.
        const sql = `TRY_CAST(${norm} AS DECIMAL(18,2))`;
        const malformed = `NOT regexp_full_match(${t}, ${sqlString(amountPattern(n))})`;
        const precise = this.formats.roundMoney ? 'false' : `NOT regexp_full_match(${norm}, '-?\\d*(\\.\\d{0,2}0*)?')`;
        const tooLarge = `regexp_full_match(${norm}, '-?0*[1-9]\\d{16,}(\\..*)?')`;
        const notation = `decimal "${n.decimal}"${n.thousands ? `, thousands "${n.thousands}"` : ''}`;
        return {
          sql,
          checks: [
            { fail: `(${t} IS NOT NULL AND ${malformed})`, reason: `not an amount with ${notation}`, detail },
            { fail: `(${t} IS NOT NULL AND NOT ${malformed} AND ${precise})`, reason: 'more than 2 decimals', detail },
            { fail: `(${t} IS NOT NULL AND NOT ${malformed} AND ${tooLarge})`, reason: 'amount too large for DECIMAL(18,2)', detail },
          ],
        };
      }
    }
  }

  private literal(v: string | number, want: Kind): string {
    const s = String(v);
    switch (want) {
      case 'text':
        return sqlString(s);
      case 'date':
        if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) throw new MappingError(`constant date "${s}" must be YYYY-MM-DD`);
        return `DATE ${sqlString(s)}`;
      case 'int':
        if (!/^-?\d+$/.test(s)) throw new MappingError(`constant "${s}" must be a whole number`);
        return `CAST(${s} AS INTEGER)`;
      case 'money':
        if (!/^-?\d+(\.\d{1,2})?$/.test(s)) throw new MappingError(`constant amount "${s}" must be a decimal with at most 2 decimals`);
        return `CAST(${sqlString(s)} AS DECIMAL(18,2))`;
    }
  }

  compile(expr: Expr, want: Kind): Compiled {
    if (typeof expr === 'string') return this.ref(expr, want);
    if ('column' in expr) return this.ref(expr.column, want, expr.date_format);
    if ('const' in expr) return { sql: this.literal(expr.const, want), checks: [] };
    const all = (...cs: Compiled[]) => cs.flatMap((c) => c.checks);
    if ('add_days' in expr) {
      if (want !== 'date') throw new MappingError('add_days gives a date; use it for a date column');
      const d = this.compile(expr.add_days.date, 'date');
      const n = this.compile(expr.add_days.days, 'int');
      return { sql: `CAST((${d.sql} + CAST(coalesce(${n.sql}, 0) AS INTEGER)) AS DATE)`, checks: all(d, n) };
    }
    if ('days_between' in expr) {
      if (want !== 'int') throw new MappingError('days_between gives a whole number of days');
      const a = this.compile(expr.days_between.from, 'date');
      const b = this.compile(expr.days_between.to, 'date');
      return { sql: `CAST(date_diff('day', ${a.sql}, ${b.sql}) AS INTEGER)`, checks: all(a, b) };
    }
    if ('first_nonzero' in expr) {
      const parts = expr.first_nonzero.map((e) => this.compile(e, want));
      const last = parts[parts.length - 1]!;
      const sql = `coalesce(${parts.slice(0, -1).map((p) => `NULLIF(${p.sql}, 0), `).join('')}${last.sql})`;
      return { sql, checks: all(...parts) };
    }
    if ('signed' in expr) {
      const a = this.compile(expr.signed.amount, want);
      const ind = this.compile(expr.signed.indicator, 'text');
      const neg = expr.signed.negative.map((v) => sqlString(v.toUpperCase())).join(', ');
      const col = typeof expr.signed.indicator === 'string' ? expr.signed.indicator : 'indicator';
      return {
        sql: `CASE WHEN upper(${ind.sql}) IN (${neg}) THEN -abs(${a.sql}) ELSE abs(${a.sql}) END`,
        checks: [...all(a, ind), { fail: `(${ind.sql} IS NULL)`, reason: 'missing debit/credit indicator', detail: sqlString(col) }],
      };
    }
    if ('negate_when' in expr) {
      const a = this.compile(expr.negate_when.amount, want);
      const v = this.compile(expr.negate_when.value, 'text');
      const vals = expr.negate_when.equals.map(sqlString).join(', ');
      return { sql: `CASE WHEN ${v.sql} IN (${vals}) THEN -abs(${a.sql}) ELSE ${a.sql} END`, checks: all(a, v) };
    }
    if ('by_sign' in expr) {
      const v = this.compile(expr.by_sign.value, 'money');
      const sql = `CASE WHEN ${v.sql} < 0 THEN ${sqlString(expr.by_sign.negative)} WHEN ${v.sql} IS NOT NULL THEN ${sqlString(expr.by_sign.otherwise)} END`;
      return { sql, checks: v.checks };
    }
    if ('map' in expr) {
      const v = this.compile(expr.map.value, 'text');
      const entries = Object.entries(expr.map.values);
      const whens = entries.map(([k, out]) => `WHEN ${sqlString(k)} THEN ${this.literal(out, want)}`).join(' ');
      const dflt = expr.map.default !== undefined ? this.literal(expr.map.default, want) : 'NULL';
      const checks = [...v.checks];
      if (expr.map.default === undefined) {
        const col = typeof expr.map.value === 'string' ? expr.map.value : 'code';
        const known = entries.map(([k]) => k).join(', ');
        checks.push({
          fail: `(${v.sql} IS NOT NULL AND ${v.sql} NOT IN (${entries.map(([k]) => sqlString(k)).join(', ')}))`,
          reason: `unknown code (expected ${known})`,
          detail: `${sqlString(`${col} "`)} || ${v.sql} || '"'`,
        });
      }
      return { sql: `CASE ${v.sql} ${whens} ELSE ${dflt} END`, checks };
    }
    if ('concat' in expr) {
      const parts = expr.concat.map((e) => this.compile(e, 'text'));
      return { sql: `(${parts.map((p) => p.sql).join(' || ')})`, checks: all(...parts) };
    }
    if ('coalesce' in expr) {
      const parts = expr.coalesce.map((e) => this.compile(e, want));
      return { sql: `coalesce(${parts.map((p) => p.sql).join(', ')})`, checks: all(...parts) };
    }
    if ('when' in expr) {
      const cond = this.text(resolveColumn(expr.when.column, this.header));
      const then = this.compile(expr.when.then, want);
      const other = expr.when.else === undefined ? undefined : this.compile(expr.when.else, want);
      // Checks of a branch only count on the rows that take it.
      const guard = (k: Check, on: string): Check => ({ ...k, fail: `(${on} AND ${k.fail})` });
      const listed = this.inList(cond, expr.when.in ?? expr.when.not_in ?? []);
      const inSet = expr.when.in ? `coalesce(${listed}, false)` : `NOT coalesce(${listed}, false)`;
      return {
        sql: `CASE WHEN ${inSet} THEN ${then.sql}${other ? ` ELSE ${other.sql}` : ''} END`,
        checks: [...then.checks.map((k) => guard(k, inSet)), ...(other?.checks.map((k) => guard(k, `NOT ${inSet}`)) ?? [])],
      };
    }
    if ('abs' in expr) {
      const a = this.compile(expr.abs, want);
      return { sql: `abs(${a.sql})`, checks: a.checks };
    }
    const a = this.compile(expr.negate, want);
    return { sql: `(-${a.sql})`, checks: a.checks };
  }

  /** `t` is one of `vals`; an empty string in `vals` matches an empty cell (NULL after trimming). */
  private inList(t: string, vals: readonly string[]): string {
    const nonEmpty = vals.filter((v) => v !== '');
    const parts = nonEmpty.length ? [`${t} IN (${nonEmpty.map(sqlString).join(', ')})`] : [];
    if (vals.includes('')) parts.push(`${t} IS NULL`);
    return `(${parts.join(' OR ') || 'false'})`;
  }

  filter(f: Filter): string {
    const t = this.text(resolveColumn(f.column, this.header));
    const conds: string[] = [];
    if (f.in) conds.push(this.inList(t, f.in));
    if (f.not_in) conds.push(`NOT coalesce(${this.inList(t, f.not_in)}, false)`);
    if (f.not_empty) conds.push(`${t} IS NOT NULL`);
    return conds.length ? conds.join(' AND ') : 'true';
  }
}

export interface CompiledTarget {
  table: TableDef;
  /**
   * SELECT over `relation` giving `__line`, every canonical column in the form the canonical-CSV checks
   * read (DATE typed, numbers as exact decimal text, see canonical-csv/rules.ts) and `__fails`, the
   * list of parse failures of the row as {column_name, reason, detail}.
   */
  sql: string;
}

/** Canonical column value as the shared row checks expect it (rules.readType). */
function staged(sql: string, sqlType: string): string {
  const k = kindOf(sqlType);
  if (k === 'date') return `CAST(${sql} AS DATE)`;
  if (k === 'money') return `CAST(CAST(${sql} AS DECIMAL(18,2)) AS VARCHAR)`;
  if (k === 'int') return `CAST(CAST(${sql} AS INTEGER) AS VARCHAR)`;
  // A line break inside a value (a quoted multi-line address) is folded, not kept, in a key or name.
  return `regexp_replace(CAST(${sql} AS VARCHAR), '[\\r\\n]+', ' ', 'g')`;
}

/**
 * One SELECT per target table. Parse failures are listed per row; required-value and business-rule
 * checks are the canonical CSV ingest's own (canonical-csv/rules.ts), run afterwards on the result.
 */
export function compileTargets(mapping: Mapping, header: readonly string[], formats: Formats, relation: string): CompiledTarget[] {
  return Object.entries(mapping.tables).map(([name, target]) => {
    const c = new ExprCompiler(header, formats);
    const table = canonicalTable(name);
    const unknown = Object.keys(target.columns).filter((k) => !table.columns.some((col) => col.name === k));
    if (unknown.length) throw new MappingError(`table ${name} has no column ${unknown.join(', ')}`);
    // payments.customer_id is optional in the schema only for bank-statement receipts (booked on a
    // bank_account, payer identified at build): a mapping without bank_account must still map it, or
    // every row would be rejected one by one instead of the mapping being refused up front.
    const required = (col: (typeof table.columns)[number]) =>
      col.required || (name === 'payments' && col.name === 'customer_id' && !('bank_account' in target.columns));
    const missing = table.columns.filter((col) => required(col) && !(col.name in target.columns)).map((col) => col.name);
    if (missing.length) throw new MappingError(`mapping for ${name} leaves required column(s) ${missing.join(', ')} unmapped`);
    const selects: string[] = [];
    const fails: string[] = [];
    for (const col of table.columns) {
      const expr = target.columns[col.name];
      if (expr === undefined) {
        selects.push(`${staged('NULL', col.sqlType)} AS ${quoteIdent(col.name)}`);
        continue;
      }
      const compiled = c.compile(expr, kindOf(col.sqlType));
      if (col.name === 'document_id' && mapping.document_ids === 'unique_per_type') {
        // Credit notes numbered in their own series: the same rename in every table of the line.
        const type = c.compile(documentTypeExpr(mapping)!, 'text').sql;
        compiled.sql = `CASE WHEN (${type}) = 'credit_note' THEN ${sqlString(CREDIT_NOTE_ID_PREFIX)} || (${compiled.sql}) ELSE ${compiled.sql} END`;
      }
      selects.push(`${staged(compiled.sql, col.sqlType)} AS ${quoteIdent(col.name)}`);
      for (const k of compiled.checks) {
        fails.push(
          `CASE WHEN coalesce(${k.fail}, false) THEN {'column_name': ${sqlString(col.name)}, 'reason': ${sqlString(k.reason)}, 'detail': CAST(${k.detail} AS VARCHAR)} END`,
        );
      }
    }
    const failList = fails.length
      ? `list_filter([${fails.join(', ')}], x -> x IS NOT NULL)`
      : `CAST([] AS STRUCT(column_name VARCHAR, reason VARCHAR, detail VARCHAR)[])`;
    const where = (target.where ?? []).map((f) => c.filter(f));
    const inner = `(SELECT *${c.defs.map((d) => `, ${d}`).join('')} FROM ${relation}${where.length ? ` WHERE ${where.join(' AND ')}` : ''})`;
    let sql = `SELECT CAST("__line" AS BIGINT) AS "__line", ${selects.join(', ')}, ${failList} AS "__fails" FROM ${inner}`;
    if (target.distinct_on?.length) {
      // The first clean occurrence of each key wins; later repeats of a key are not rejects. A hash
      // aggregate holds one row per key (not per line), so memory follows the number of customers.
      sql = `SELECT unnest(r) FROM (SELECT arg_min(t, len(t."__fails") * 1000000000000000 + t."__line") AS r FROM (${sql}) t GROUP BY ${target.distinct_on
        .map((k) => `t.${quoteIdent(k)}`)
        .join(', ')}) ORDER BY r."__line"`;
    }
    return { table, sql };
  });
}
