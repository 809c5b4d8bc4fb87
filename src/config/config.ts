import { readFileSync, existsSync, realpathSync, statSync } from 'node:fs';
import { resolve, dirname, parse } from 'node:path';
import { z } from 'zod';
import { CONFIG_FILE, ConfigError, DEFAULT_LAKE } from './config-error.js';
import { AthenaSchema } from './athena-config.js';
import { TrinoSchema } from './trino-config.js';
import { PlausibleDatesSchema } from './plausible-dates.js';
import { CreditRiskSchema } from './credit-risk-config.js';
import { kpiConfigShape } from './kpi-config.js';

export { CONFIG_FILE };

const AgingSchema = z
  .object({
    /** Upper edges (inclusive) of the overdue buckets in days past due; the last bucket is open-ended. */
    bucket_edges: z
      .array(z.number().int().positive())
      .min(1)
      .max(30)
      .default([14, 30, 60, 90])
      .refine((a) => a.every((v, i) => i === 0 || v > a[i - 1]!), 'bucket_edges must be strictly increasing')
      .refine((a) => a[a.length - 1]! <= 3650, 'bucket edges above 3650 days are not supported'),
    basis: z.enum(['due_date', 'invoice_date']).default('due_date'),
  })
  .strict()
  .default({ bucket_edges: [14, 30, 60, 90], basis: 'due_date' });

const DsoSchema = z
  .object({
    /** Which DSO variant fills the `dso` column; all variants are stored beside it. */
    method: z.enum(['period_end', 'average_ar', 'three_month', 'countback']).default('period_end'),
    /** Countback stops after this many months and flags the DSO as incomplete. */
    countback_max_months: z.number().int().min(1).max(120).default(24),
    /** days(P): calendar days of the month, or the 30-days-per-month convention some reports use. */
    month_days: z.enum(['calendar', 'thirty']).default('calendar'),
  })
  .strict()
  .default({ method: 'period_end', countback_max_months: 24, month_days: 'calendar' });

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar day as YYYY-MM-DD: checked when the config loads, so `2024-02-30` never reaches a build. */
const isoDay = () =>
  z
    .string()
    .regex(ISO_DAY, 'a date as YYYY-MM-DD')
    .refine((s) => {
      const d = new Date(`${s}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s && s >= '1900-01-01' && s <= '2999-12-31';
    }, 'not a calendar date between 1900-01-01 and 2999-12-31');

/**
 * The 13-week cash forecast (mart cash_forecast_13w, backtested in cash_forecast_backtest); the method
 * is documented in docs/metrics.md. Defaults are the documented ones.
 */
const CashForecastSchema = z
  .object({
    /** Forecast as of the last month end on or before this date; default the last month end in the data. */
    as_of: isoDay().optional(),
    /** Months of payment history (up to the forecast date) a customer's delay and payment run are measured over. */
    lookback_months: z.number().int().min(1).max(120).default(12),
    /** Paid invoices (for the delay) or payment days (for a payment run) a customer needs in the lookback. */
    min_history: z.number().int().min(1).max(1000).default(3),
    /** Snap expected dates to a customer's payment run (monthly day or weekday) when one is detected. */
    payment_runs: z.boolean().default(true),
    /** Share of a customer's payment days that must fall on one run (3-day window of the month, or weekday). */
    payment_run_share: z.number().min(0.5).max(1).default(0.8),
    /** An item already past its expected date at the forecast date is expected this many days later. */
    overdue_catchup_days: z.number().int().min(1).max(91).default(7),
    /** Items more than this many days past due are expected at stale_probability. */
    stale_after_days: z.number().int().min(1).max(3650).default(90),
    stale_probability: z.number().min(0).max(1).default(0.4),
    /** A customer with no payment for this many days and an item at least as far past due has stopped paying. */
    stopped_paying_days: z.number().int().min(1).max(3650).default(60),
    stopped_paying_probability: z.number().min(0).max(1).default(0),
  })
  .strict()
  .default({
    lookback_months: 12,
    min_history: 3,
    payment_runs: true,
    payment_run_share: 0.8,
    overdue_catchup_days: 7,
    stale_after_days: 90,
    stale_probability: 0.4,
    stopped_paying_days: 60,
    stopped_paying_probability: 0,
  });

/** KPI targets the dashboards draw on tiles and trend lines; null hides a target. */
const TargetsSchema = z
  .object({
    /** DSO at or below this many days is on target. */
    dso_days: z.number().positive().max(3650).nullable().optional(),
    /** Share of open AR overdue (0-100) at or below this is on target. */
    overdue_pct: z.number().min(0).max(100).nullable().optional(),
    /** Collection effectiveness index (0-100) at or above this is on target. */
    cei_pct: z.number().min(0).max(100).nullable().optional(),
    /** Bad-debt ratio (write-offs / credit sales, 0-100, rolling 12 months) at or below this is on target. */
    bad_debt_pct: z.number().min(0).max(100).nullable().optional(),
  })
  .strict()
  .prefault({});

/** How the dashboards cut lists and rankings. */
const DashboardsSchema = z
  .object({
    /** Industries with fewer monitored companies are left out of rankings (their rate is noise). */
    min_industry_sample: z.number().int().min(1).max(1_000_000).default(100),
    /** The risk-alert list covers this many days up to the as-of date. */
    alert_window_days: z.number().int().min(1).max(3650).default(90),
  })
  .strict()
  .prefault({});

export const ConfigSchema = z
  .object({
    $schema: z.string().optional(),
    /** Lake root: a local folder (relative to the config file) or, with the AWS target, s3://bucket/prefix. */
    lake: z.string().min(1).default(DEFAULT_LAKE),
    reporting_currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR').default('EUR'),
    /**
     * The ledger's data end when it is later than its last dated event: the date the export was taken
     * (`ingest --as-of` records it per batch; the build takes the latest of both). The month it falls
     * in is partial unless it is the month's last day.
     */
    extract_date: z.string().regex(ISO_DAY, 'a date as YYYY-MM-DD').optional(),
    /**
     * Dates a ledger row may carry (./plausible-dates.ts): ingest rejects any other with file, line,
     * column and value. Default 1990-01-01 to five years after the day of the ingest.
     */
    plausible_dates: PlausibleDatesSchema,
    /** Source freshness: build warns when a feed's last date is more than this many days behind the latest feed. */
    freshness: z
      .object({ max_lag_days: z.number().int().min(0).max(3650).default(7) })
      .strict()
      .default({ max_lag_days: 7 }),
    aging: AgingSchema,
    dso: DsoSchema,
    /** Foreign currencies (fx_rates): how far back a rate may come from for a weekend or holiday. */
    fx: z
      .object({
        /** A document dated D converts at the latest rate dated D − lookback_days … D; none there fails the build. */
        lookback_days: z.number().int().min(0).max(366).default(7),
      })
      .strict()
      .prefault({}),
    /** `--target athena`: workgroup, Glue database, statement timeout (see ./athena-config.ts). */
    athena: AthenaSchema,
    /** `--target trino`: coordinator URL, catalog, schema, user, lake location as the catalog sees it (./trino-config.ts). */
    trino: TrinoSchema,
    /** KPI suite variants (payment_behaviour, open_invoice_counts, collections, write_offs, …): see ./kpi-config.ts. */
    ...kpiConfigShape,
    cash_forecast: CashForecastSchema,
    /** Credit-risk marts: monitoring, alerts, segment priority rules (see ./credit-risk-config.ts). */
    credit_risk: CreditRiskSchema,
    /** Targets shown on the dashboards' KPI tiles and trend lines (DSO days, overdue %, CEI %, bad-debt %). */
    targets: TargetsSchema,
    /** Dashboard list and ranking settings. */
    dashboards: DashboardsSchema,
    /** DuckDB resources; defaults leave room for the rest of the machine. */
    duckdb: z
      .object({
        threads: z.number().int().positive().optional(),
        memory_limit: z
          .string()
          .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, 'a size such as 512MB or 4GB')
          .refine((s) => Number.parseFloat(s) > 0, 'must be more than 0')
          .optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

export { ConfigError };

export function defaultConfig(): Config {
  return ConfigSchema.parse({});
}

/** Parses a config object, turning zod issues into one readable message naming each bad path. */
export function parseConfig(raw: unknown, source = CONFIG_FILE): Config {
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ConfigError(`invalid config ${source}:\n${lines.join('\n')}`);
  }
  return result.data;
}

export interface LoadedConfig {
  config: Config;
  /** The file the config came from, or undefined when defaults are used. */
  path?: string;
  /** Lake root resolved against the config file's folder (or the working directory). */
  lakeRoot: string;
}

export function loadConfig(opts: { path?: string; cwd?: string; lake?: string } = {}): LoadedConfig {
  const cwd = opts.cwd ?? process.cwd();
  const path = opts.path ? resolve(cwd, opts.path) : resolve(cwd, CONFIG_FILE);
  let config: Config;
  let used: string | undefined;
  if (existsSync(path)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new ConfigError(`invalid config ${path}: not valid JSON (${(e as Error).message})`);
    }
    config = parseConfig(raw, path);
    used = path;
  } else if (opts.path) {
    throw new ConfigError(`config file not found: ${path}`);
  } else {
    config = defaultConfig();
  }
  const lake = opts.lake ?? config.lake;
  const base = used ? dirname(used) : cwd;
  const lakeRoot = lake.startsWith('s3://') ? lake : resolve(opts.lake ? cwd : base, lake);
  if (!lake.startsWith('s3://')) {
    const problem = localLakeProblem(lakeRoot);
    if (problem) throw new ConfigError(`invalid lake ${lakeRoot}: ${problem}`);
  }
  return { config: { ...config, lake }, path: used, lakeRoot };
}

/** System folders no lake may be in: writing there is dangerous as root, and /proc never ends. */
const SYSTEM_ROOTS = ['/proc', '/sys', '/dev'];

/** Why a local folder cannot be a lake, or undefined when it can (it need not exist yet). */
export function localLakeProblem(lakeRoot: string): string | undefined {
  const abs = resolve(lakeRoot);
  if (abs === parse(abs).root) return 'the root of the file system cannot be a lake; name a folder such as ./lake';
  let real = abs;
  try {
    real = realpathSync(abs);
  } catch {
    // Not there yet: the lake is created on first ingest.
  }
  for (const r of SYSTEM_ROOTS) {
    if (real === r || real.startsWith(`${r}/`) || abs === r || abs.startsWith(`${r}/`)) return `it is under ${r}, a system folder`;
  }
  try {
    if (!statSync(real).isDirectory()) return 'it is a file, not a folder';
  } catch {
    // Not there yet.
  }
  return undefined;
}
