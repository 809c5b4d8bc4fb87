import type { TableDef } from '../table.js';
import { arAging } from './ar_aging.js';
import { arOpenItems } from './ar_open_items.js';
import { arCurrency } from './ar_currency.js';
import { dsoMonthly } from './dso_monthly.js';
import { arRatioMonthly } from './ar_ratio_monthly.js';
import { openInvoiceCounts } from './open_invoice_counts.js';
import { collectionActivityDaily } from './collection_activity_daily.js';
import { collectionCostsMonthly } from './collection_costs_monthly.js';
import { writeOffsMonthly } from './write_offs_monthly.js';
import { creditDecisionsMonthly } from './credit_decisions_monthly.js';
import { concentration } from './concentration.js';
import { creditLimitUtilisation } from './credit_limit_utilisation.js';
import { paymentBehaviour } from './payment_behaviour.js';
import { arRollforward } from './ar_rollforward.js';
import { cashFlowMonthly } from './cash_flow_monthly.js';
import { cashFlowWeekly } from './cash_flow_weekly.js';
import { cashForecast13w } from './cash_forecast_13w.js';
import { cashForecastBacktest } from './cash_forecast_backtest.js';
import { kpiSummary } from './kpi_summary.js';
import { CREDIT_RISK_MARTS } from './credit-risk.js';
import { sourceFreshness } from './source_freshness.js';
import { disputesMonthly } from './disputes_monthly.js';
import { bankReceipts } from './bank_receipts.js';
import { paymentMatching } from './payment_matching.js';
import { customerEvents } from './customer_events.js';
import { customerCreditReports } from './customer_credit_reports.js';
import { collectionWorklist } from './collection_worklist.js';
import { customerMonths } from './customer_months.js';
import { dimCustomers } from './dim_customers.js';

export { arAging, arOpenItems, arCurrency, dsoMonthly, sourceFreshness, disputesMonthly, bankReceipts, paymentMatching };
export { customerEvents, customerCreditReports, collectionWorklist, customerMonths, dimCustomers };
export { cashFlowMonthly, cashFlowWeekly, cashForecast13w, cashForecastBacktest, kpiSummary };
export { arRollforward, paymentBehaviour, arRatioMonthly, openInvoiceCounts, collectionActivityDaily, collectionCostsMonthly, writeOffsMonthly, creditDecisionsMonthly, concentration, creditLimitUtilisation };

/** Issue 3 part A: roll-forward, payment behaviour, collections, write-offs, credit decisions, concentration. */
const KPI_SUITE_A_MARTS: readonly TableDef[] = [arRollforward, paymentBehaviour, arRatioMonthly, openInvoiceCounts, collectionActivityDaily, collectionCostsMonthly, writeOffsMonthly, creditDecisionsMonthly, concentration, creditLimitUtilisation];

/** Issue 3 part B: cash flows, the 13-week cash forecast and its backtest, the CFO's KPI summary. */
const KPI_SUITE_B_MARTS: readonly TableDef[] = [cashFlowWeekly, cashFlowMonthly, cashForecast13w, cashForecastBacktest, kpiSummary];

/** Marts the dashboards read per customer or per month end, so a page view reads a few rows, not the ledger (issue 14). */
const DASHBOARD_MARTS: readonly TableDef[] = [customerEvents, customerCreditReports, collectionWorklist, customerMonths, dimCustomers];

/**
 * Declared output schema of every mart, keyed by model name. `creditlake build` refuses a mart whose
 * SQL produces other columns or types, and `creditlake tables` documents marts from here.
 * Add one line per new mart (file sql/marts/<name>.sql + src/schema/marts/<name>.ts).
 */
export const MART_TABLES: readonly TableDef[] = [arOpenItems, arAging, arCurrency, dsoMonthly, ...KPI_SUITE_A_MARTS, ...KPI_SUITE_B_MARTS, ...CREDIT_RISK_MARTS, sourceFreshness, disputesMonthly, bankReceipts, paymentMatching, ...DASHBOARD_MARTS];

export function martTable(name: string): TableDef | undefined {
  return MART_TABLES.find((t) => t.name === name);
}
