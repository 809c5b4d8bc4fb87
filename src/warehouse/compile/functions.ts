import type { Config } from '../../config/config.js';
import { canonicalSelectList, canonicalTable, quoteIdent } from '../../schema/index.js';
import type { Dialect } from '../dialect/dialect.js';
import { agingBuckets, allBuckets, bucketCase, bucketValues, CREDIT_BALANCE_BUCKET, UNAPPLIED_CASH_BUCKET } from './aging.js';
import { cashForecastVars } from './forecast-vars.js';
import { kpiTemplateFunctions, kpiTemplateVars } from './kpi-functions.js';
import { worklistTemplateFunctions } from './worklist-rule.js';
import { sbiSectionCase } from './sbi.js';
import { bandLabelCase, creditRiskVars } from './credit-risk-vars.js';
import { referenceTableSql } from '../../reference/warehouse-tables.js';
import { sqlString, type CompileTarget } from './targets.js';
import type { TemplateArg, TemplateFunction } from './template.js';

export interface FunctionContext {
  target: CompileTarget;
  config: Config;
  /** Names of all models, so a ref to a missing one fails at compile time. */
  models: ReadonlySet<string>;
}

function str(v: TemplateArg | undefined, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what} must be a quoted string`);
  return v;
}

function expr(v: TemplateArg | undefined, what: string): string {
  if (v === undefined) throw new Error(`missing argument ${what}`);
  return String(v);
}

/** Config values models may read with {{ var('name') }}; returned as SQL literals. */
export function templateVars(config: Config): Record<string, string | number | null> {
  return {
    dso_method: config.dso.method,
    countback_max_months: config.dso.countback_max_months,
    month_days: config.dso.month_days,
    aging_basis: config.aging.basis,
    reporting_currency: config.reporting_currency,
    // the export's extract date when later than its last event (config extract_date, `ingest --as-of`)
    extract_date: config.extract_date ?? null,
    freshness_max_lag_days: config.freshness.max_lag_days,
    fx_lookback_days: config.fx.lookback_days,
    aging_bucket_count: allBuckets(config.aging.bucket_edges).length,
    ...creditRiskVars(config),
    ...kpiTemplateVars(config),
    ...cashForecastVars(config),
  };
}

function dialectFunctions(d: Dialect): Record<string, TemplateFunction> {
  return {
    add_days: (date, n) => d.addDays(expr(date, 'date'), expr(n, 'days')),
    days_between: (from, to) => d.daysBetween(expr(from, 'from'), expr(to, 'to')),
    month_end: (date) => d.monthEnd(expr(date, 'date')),
    month_start: (date) => d.monthStart(expr(date, 'date')),
    add_months: (date, n) => d.addMonths(expr(date, 'date'), expr(n, 'months')),
    months_between: (from, to) => d.monthsBetween(expr(from, 'from'), expr(to, 'to')),
    days_in_month: (date) => d.daysInMonth(expr(date, 'date')),
    int_div: (a, b) => d.intDiv(expr(a, 'a'), expr(b, 'b')),
    ratio: (a, b) => d.ratio(expr(a, 'numerator'), expr(b, 'denominator')),
    format_date: (date) => d.formatDate(expr(date, 'date')),
    regexp_like: (v, p) => d.regexpLike(expr(v, 'value'), expr(p, 'pattern')),
    regexp_replace_all: (v, p, r) => d.regexpReplaceAll(expr(v, 'value'), expr(p, 'pattern'), expr(r, 'replacement')),
    date_literal: (iso) => d.dateLiteral(str(iso, 'date')),
    month_start_sequence: (from, to) => d.monthStartSequence(expr(from, 'from'), expr(to, 'to')),
    string_agg_ordered: (v, sep, order) => d.stringAgg(expr(v, 'value'), expr(sep, 'separator'), expr(order, 'order by')),
  };
}

/** Every function a model template can call. */
export function templateFunctions(ctx: FunctionContext): Record<string, TemplateFunction> {
  const { target, config } = ctx;
  const edges = config.aging.bucket_edges;
  const vars = templateVars(config);
  const prefix = (alias: TemplateArg | undefined) => (alias === undefined ? '' : `${str(alias, 'alias')}.`);
  return {
    ...dialectFunctions(target.dialect),
    ref: (name) => {
      const model = str(name, 'model name');
      if (!ctx.models.has(model)) throw new Error(`no model named "${model}"`);
      return target.ref(model);
    },
    source: (name) => target.source(canonicalTable(str(name, 'table name'))),
    var: (name) => {
      const key = str(name, 'variable name');
      if (!Object.hasOwn(vars, key)) throw new Error(`unknown var "${key}"; known: ${Object.keys(vars).join(', ')}`);
      const v = vars[key]!;
      return v === null ? 'NULL' : typeof v === 'number' ? String(v) : sqlString(v);
    },
    /** The canonical table's columns cast to their canonical types: a staging model's SELECT list. */
    canonical_columns: (table, alias) => canonicalSelectList(canonicalTable(str(table, 'table name')), alias === undefined ? '' : str(alias, 'alias')),
    /**
     * The raw rows of a canonical table that are the latest ingested version of their key (ingest
     * day, then batch file name): a staging model's FROM. Each engine in its cheapest form (dialect).
     */
    latest_versions: (name) => {
      const table = canonicalTable(str(name, 'table name'));
      return target.dialect.latestVersions(target.source(table), table.key.map(quoteIdent));
    },
    /** The canonical table's key columns, comma-separated (for PARTITION BY). */
    table_key: (table, alias) => canonicalTable(str(table, 'table name')).key.map((k) => `${prefix(alias)}${quoteIdent(k)}`).join(', '),
    aging_bucket: (days) => bucketCase(expr(days, 'days past due'), edges, 'label'),
    aging_bucket_order: (days) => bucketCase(expr(days, 'days past due'), edges, 'order'),
    /** Relation `(VALUES (label, order), …)` of every bucket incl. unapplied cash and credit balance: alias it `AS b(bucket, bucket_order)`. */
    aging_buckets: () => bucketValues(edges),
    /**
     * First day past due of the last aging bucket (91 for the default edges): from there on an open
     * document's bucket no longer changes (int_ar_open_stretches).
     */
    aging_last_bucket_start: () => String(agingBuckets(edges).at(-1)!.min),
    /** The column days past due count from (config aging.basis), qualified with the alias. */
    aging_basis_column: (alias) => `${prefix(alias)}${config.aging.basis}`,
    /** First day a rate dated `date` no longer covers: the day after config fx.lookback_days. */
    fx_rate_valid_until: (date) => target.dialect.addDays(expr(date, 'date'), String(config.fx.lookback_days + 1)),
    /** Bucket label and order of the unapplied-cash lines (after the last aging bucket). */
    unapplied_bucket: () => sqlString(UNAPPLIED_CASH_BUCKET),
    unapplied_bucket_order: () => String(agingBuckets(edges).length),
    /** Bucket label and order of documents with a negative open amount (after unapplied cash). */
    credit_balance_bucket: () => sqlString(CREDIT_BALANCE_BUCKET),
    credit_balance_bucket_order: () => String(agingBuckets(edges).length + 1),
    /**
     * Realised FX of a foreign-currency item, one rule for the roll-forward and the ratio marts: once
     * the item's own-currency movements (`delta_original`) add up to zero it is settled, and whatever
     * its reporting-currency movements (`delta`) still add up to is the exchange difference realised.
     * 0 while the item is open. Over rows of one item (`item`) in the order of `order`.
     */
    closed_fx_residual: (item, order) => {
      const w = `OVER (PARTITION BY ${expr(item, 'item')} ORDER BY ${expr(order, 'order')} ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)`;
      return `CASE WHEN sum(delta_original) ${w} = 0 THEN sum(delta) ${w} ELSE 0 END`;
    },
    /**
     * `text` once for every whole number n from `from` to `to`, each `#` in it replaced by n, joined
     * by `separator` (default ', '): the 31 day-of-month columns of int_payment_runs without writing
     * each out. Plain SQL text, the same on every engine.
     */
    for_numbers: (from, to, text, separator) => {
      const lo = from;
      const hi = to;
      if (typeof lo !== 'number' || typeof hi !== 'number' || !Number.isInteger(lo) || !Number.isInteger(hi) || hi < lo || hi - lo > 1000) {
        throw new Error('from and to must be whole numbers, from <= to, at most 1000 apart');
      }
      const body = str(text, 'text');
      const sep = separator === undefined ? ', ' : str(separator, 'separator');
      return Array.from({ length: hi - lo + 1 }, (_, i) => body.replaceAll('#', String(lo + i))).join(sep);
    },
    sbi_section: (code) => sbiSectionCase(expr(code, 'sbi code')),
    band_label: (band) => bandLabelCase(expr(band, 'common band')),
    /** Shipped reference data (SBI, CBS, score bands) as a typed VALUES relation: src/reference/warehouse-tables.ts. */
    reference_table: (name) => referenceTableSql(str(name, 'reference table name')),
    ...kpiTemplateFunctions(config),
    ...worklistTemplateFunctions(target.dialect),
  };
}
