import { resolve } from 'node:path';
import { EXIT, UsageError, line, type CliIO, type Command } from '../command.js';
import { parse } from '../options.js';
import { DEFAULT_END_DATE, FX_RATES_FILE, INVOICE_CURRENCIES, SNAPSHOT_LAYOUTS, generateLedger, type SnapshotLayout } from '../../generator/index.js';
import { printJson } from '../json-output.js';

const usage = `Usage: creditlake generate --customers N --months M [--seed S] [--out DIR] [--end-date YYYY-MM-DD]
                           [--credit-balances R] [--recoveries R] [--currencies R] [--disputes R] [--delivery-channels]
                           [--third-party-payments R]
                           [--snapshots WEEKS [--snapshot-layout afas|exact|both]] [--json]

Writes a realistic Dutch B2B receivables ledger as one canonical CSV per table (<table>.csv):
customers, invoices, payments, payment_allocations, write_offs, collection_actions, credit_decisions,
and the credit-report feed beside it: companies, company_identifiers, credit_reports, insolvency_events.

  --customers N          number of customers (about 2 invoices per customer-month)
  --months M             months of history, ending at --end-date
  --seed S               random seed; same arguments give byte-identical files (default 1)
  --out DIR              output directory (default ./ledger)
  --end-date YYYY-MM-DD  last day of the ledger (default ${DEFAULT_END_DATE}, fixed so a seed is reproducible);
                         a day inside a month gives a partial last month, as a mid-month export does
  --credit-balances R    share of invoices (0..1 or a percentage such as 5%) that end in a credit balance:
                         over-credited, corrected by a credit note naming no invoice, or overpaid (default 0)
  --recoveries R         share of written-off invoices partly recovered later, by a payment allocated to
                         the written-off invoice or a negative write-off with reason recovery (default 0)
  --currencies R         share of customers abroad invoiced and paying in ${INVOICE_CURRENCIES.join(', ')} (default 0);
                         writes the daily reference rates as ${FX_RATES_FILE} in the ECB layout
                         (load it with: creditlake ingest --feed fx-rates ${FX_RATES_FILE})
  --disputes R           share of invoices disputed (price, quantity, quality, delivery, missing_po,
                         duplicate), written to disputes.csv: dunning pauses while a dispute is open,
                         payment waits for its resolution, which may bring a credit note or a write-off
  --third-party-payments R
                         share of payments (default 0) made by another customer (the one listed before
                         it, as a parent company, factor or debt collector pays on the debtor's behalf):
                         applied to the debtor's invoices, any unapplied rest the payer's; not with --snapshots
  --delivery-channels    fill invoices.delivery_channel (paper, email, e-invoice, portal; per customer,
                         by segment): paper invoices are paid days later, e-invoices earlier
  --snapshots WEEKS      also write WEEKS weekly open-item exports ("openstaande posten"), the last one on
                         the end date, under snapshots/afas/ and snapshots/exact-online/ as the presets
                         afas-debtor-open-items and exact-online-receivables read them
  --snapshot-layout L    afas, exact, or both (default: the customers split over an AFAS and an
                         Exact Online administration)
  --json                 print the summary as JSON on stdout`;

function share(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  const v = m ? Number(m[1]) / (m[2] ? 100 : 1) : Number.NaN;
  if (!(v >= 0 && v <= 1)) throw new UsageError(`--${name} must be a share between 0 and 1 or a percentage such as 5%, got "${value}"`);
  return v;
}

function positiveInt(name: string, value: string | undefined): number {
  if (value === undefined) throw new UsageError(`--${name} is required`);
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  return Number(value);
}

export const generateCommand: Command = {
  name: 'generate',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parse(argv, {
      customers: { type: 'string' },
      months: { type: 'string' },
      seed: { type: 'string', default: '1' },
      out: { type: 'string', default: 'ledger' },
      'end-date': { type: 'string' },
      'credit-balances': { type: 'string' },
      recoveries: { type: 'string' },
      currencies: { type: 'string' },
      disputes: { type: 'string' },
      'third-party-payments': { type: 'string' },
      'delivery-channels': { type: 'boolean' },
      snapshots: { type: 'string' },
      'snapshot-layout': { type: 'string' },
    });
    const situations = {
      creditBalances: share('credit-balances', values['credit-balances']),
      recoveries: share('recoveries', values.recoveries),
      currencies: share('currencies', values.currencies),
      disputes: share('disputes', values.disputes),
      thirdPartyPayments: share('third-party-payments', values['third-party-payments']),
    };
    const layout = values['snapshot-layout'] ?? 'both';
    if (!(SNAPSHOT_LAYOUTS as readonly string[]).includes(layout)) throw new UsageError(`--snapshot-layout must be one of ${SNAPSHOT_LAYOUTS.join(', ')}, got "${layout}"`);
    if (values['snapshot-layout'] !== undefined && values.snapshots === undefined) throw new UsageError('--snapshot-layout needs --snapshots WEEKS');
    const snapshots = values.snapshots === undefined ? undefined : { weeks: positiveInt('snapshots', values.snapshots), layout: layout as SnapshotLayout };
    const customers = positiveInt('customers', values.customers);
    const months = positiveInt('months', values.months);
    const endDate = values['end-date'] ?? DEFAULT_END_DATE;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(endDate) || Number.isNaN(Date.parse(`${endDate}T00:00:00Z`))) {
      throw new UsageError(`--end-date must be a date as YYYY-MM-DD, got "${endDate}"`);
    }
    const outDir = resolve(io.cwd, values.out);
    const tty = Boolean(io.stderr.isTTY);
    let lastPct = -1;
    let summary;
    try {
      summary = await generateLedger({
        customers, months, seed: values.seed, outDir, endDate, situations, snapshots, deliveryChannels: values['delivery-channels'] === true,
        onProgress: tty
          ? (done, total) => {
              const pct = Math.floor((done * 100) / total);
              if (pct !== lastPct) {
                lastPct = pct;
                io.stderr.write(`\rgenerating: ${done}/${total} customers (${pct}%)`);
              }
            }
          : undefined,
      });
    } catch (e) {
      if (e instanceof RangeError) throw new UsageError(e.message);
      throw e;
    } finally {
      if (tty && lastPct >= 0) io.stderr.write('\n');
    }
    if (values.json) {
      printJson(io, summary);
    } else {
      line(io.stdout, `ledger ${summary.startDate} … ${summary.endDate}, seed ${summary.seed}, written to ${summary.outDir}`);
      for (const [table, n] of Object.entries(summary.rows)) line(io.stdout, `  ${table.padEnd(20)} ${String(n).padStart(10)} rows`);
      if (summary.fxRates) {
        line(io.stdout, `  ${FX_RATES_FILE.padEnd(20)} ${String(summary.fxRates.days).padStart(10)} days of ${summary.fxRates.currencies.join(', ')} per EUR (ECB layout)`);
      }
      if (summary.snapshots) {
        const s = summary.snapshots;
        line(io.stdout, `  snapshots/           ${String(s.files.length).padStart(10)} open-item exports (${s.layout}), ${s.dates[0]} … ${s.dates.at(-1)}, ${s.rows} lines`);
      }
      line(io.stdout, `  ${summary.distressed.length} distressed customers; ${(summary.elapsedMs / 1000).toFixed(1)} s`);
    }
    return EXIT.OK;
  },
};
