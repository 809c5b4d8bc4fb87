import type { TableDef } from '../table.js';
import { arAging } from './ar_aging.js';
import { arOpenItems } from './ar_open_items.js';
import { dsoMonthly } from './dso_monthly.js';
import { arRatioMonthly } from './ar_ratio_monthly.js';
import { paymentBehaviour } from './payment_behaviour.js';
import { arRollforward } from './ar_rollforward.js';
import { cashFlowMonthly } from './cash_flow_monthly.js';
import { cashFlowWeekly } from './cash_flow_weekly.js';

export { arAging, arOpenItems, dsoMonthly, cashFlowMonthly, cashFlowWeekly };


export { arRollforward, paymentBehaviour, arRatioMonthly };

/** Issue 3 part A: roll-forward, payment behaviour, collections, write-offs, credit decisions, concentration. */
const KPI_SUITE_A_MARTS: readonly TableDef[] = [arRollforward, paymentBehaviour, arRatioMonthly];

/**
 * Declared output schema of every mart, keyed by model name. `creditlake build` refuses a mart whose
 * SQL produces other columns or types, and `creditlake tables` documents marts from here.
 * Add one line per new mart (file sql/marts/<name>.sql + src/schema/marts/<name>.ts).
 */
export const MART_TABLES: readonly TableDef[] = [arOpenItems, arAging, dsoMonthly, cashFlowWeekly, cashFlowMonthly, ...KPI_SUITE_A_MARTS];

export function martTable(name: string): TableDef | undefined {
  return MART_TABLES.find((t) => t.name === name);
}
