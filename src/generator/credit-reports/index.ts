import { join } from 'node:path';
import { dayOf } from '../calendar.js';
import { CsvTableWriter } from '../csv-writer.js';
import { drawProfile, ledgerWindow } from '../profiles.js';
import { companies, companyIdentifiers, creditReports, insolvencyEvents } from '../../schema/credit-tables.js';
import { PROSPECT_RATIO, drawProspect, fromCustomer, type MonitoredCompany } from './population.js';
import { simulateCompany } from './simulate.js';

export interface CreditReportOptions {
  customers: number;
  months: number;
  seed: string | number;
  /** Last day of the ledger (ISO); the same window as the ledger's. */
  endDate: string;
  outDir: string;
  /** Prospects per customer (default PROSPECT_RATIO). */
  prospectRatio?: number;
}

export interface CreditReportSummary {
  rows: Record<string, number>;
  files: Record<string, string>;
  companies: { customers: number; prospects: number };
  /** Companies that went bankrupt in the window, by company key, with the ERP customer if any. */
  bankruptcies: { company_key: string; customer_id: string | null; date: string }[];
}

/**
 * Writes the credit-report feed of a generated ledger beside it: companies.csv,
 * company_identifiers.csv, credit_reports.csv and insolvency_events.csv, in the canonical layout (so
 * both `ingest --table` and `ingest --feed credit-report` read them). Deterministic per seed.
 */
export async function generateCreditReports(opts: CreditReportOptions): Promise<CreditReportSummary> {
  const win = ledgerWindow(String(opts.seed), opts.months, dayOf(opts.endDate));
  const prospects = Math.round(opts.customers * (opts.prospectRatio ?? PROSPECT_RATIO));
  const tables = [companies, companyIdentifiers, creditReports, insolvencyEvents];
  const writers = tables.map((t) => new CsvTableWriter(join(opts.outDir, `${t.name}.csv`), t));
  const [wCompanies, wIds, wReports, wEvents] = writers as [CsvTableWriter, CsvTableWriter, CsvTableWriter, CsvTableWriter];
  const bankruptcies: CreditReportSummary['bankruptcies'] = [];
  // Generated VAT numbers can (rarely) repeat (a Dutch one steps past check digits that do not
  // exist; Belgian and German ones are drawn); an identifier must name one company only. Only VAT
  // numbers are remembered: KvK numbers, D-U-N-S numbers and the Graydon and Creditsafe ids come
  // from bijections of the company index, so they never repeat, and a set of every identifier
  // held about 100 bytes per company-identifier (1 GB at 100M invoices) for nothing.
  const seenVat = new Set<string>();
  const emit = async (c: MonitoredCompany) => {
    const r = simulateCompany(win.seed, c);
    r.identifiers = r.identifiers.filter((x) => {
      if (x.id_type !== 'vat' || !seenVat.has(x.id_value)) {
        if (x.id_type === 'vat') seenVat.add(x.id_value);
        return true;
      }
      r.company.vat_number = null;
      return false;
    });
    wCompanies.write(r.company);
    for (const x of r.identifiers) wIds.write({ ...x });
    for (const x of r.reports) wReports.write(x);
    for (const x of r.events) wEvents.write(x);
    if (r.bankruptcyDate) bankruptcies.push({ company_key: r.company.company_key, customer_id: c.customerId, date: r.bankruptcyDate });
    for (const w of writers) await w.flushIfFull();
  };
  try {
    for (let i = 0; i < opts.customers; i++) await emit(fromCustomer(drawProfile(win, i), win));
    for (let j = 0; j < prospects; j++) await emit(drawProspect(win, opts.customers, j));
    for (const w of writers) await w.close();
  } catch (e) {
    for (const w of writers) w.destroy();
    throw e;
  }
  return {
    rows: Object.fromEntries(tables.map((t, i) => [t.name, writers[i]!.rows])),
    files: Object.fromEntries(tables.map((t, i) => [t.name, writers[i]!.path])),
    companies: { customers: opts.customers, prospects },
    bankruptcies,
  };
}
