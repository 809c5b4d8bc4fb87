import { defaultConfig, type Config } from '../../src/config/config.js';

/** Every mart of the KPI suite part A, with what it reads: the `--select` of the KPI unit tests. */
export const KPI_A_MARTS = [
  '+ar_rollforward',
  '+payment_behaviour',
  '+ar_ratio_monthly',
  '+open_invoice_counts',
  '+collection_activity_daily',
  '+collection_costs_monthly',
  '+write_offs_monthly',
  '+credit_decisions_monthly',
  '+concentration',
  '+credit_limit_utilisation',
];

type Sections = Pick<
  Config,
  'payment_behaviour' | 'open_invoice_counts' | 'collections' | 'write_offs' | 'credit_decisions' | 'concentration' | 'credit_limits'
>;

/** Default config (one DuckDB thread) with overrides on the KPI sections. */
export function kpiConfig(over: { [K in keyof Sections]?: Partial<Sections[K]> } = {}): Config {
  const c = defaultConfig();
  const merged = { ...c, duckdb: { threads: 1 } } as Config;
  for (const [k, v] of Object.entries(over) as [keyof Sections, object][]) {
    (merged as unknown as Record<string, unknown>)[k] = { ...c[k], ...v };
  }
  return merged;
}

export const writeOff = (document_id: string, customer_id: string, write_off_date: string, amount: string, reason = 'uncollectable') => ({
  document_id,
  customer_id,
  write_off_date,
  amount,
  reason,
});

export const action = (
  action_id: string,
  customer_id: string,
  document_id: string | undefined,
  action_date: string,
  action_type: string,
  channel: string,
  cost: string,
) => ({ action_id, customer_id, document_id, action_date, action_type, channel, cost });

export const decision = (
  decision_id: string,
  who: { customer_id: string } | { applicant: string },
  decision_date: string,
  outcome: 'accepted' | 'refused' | 'limited',
  requested_limit: string,
  granted_limit: string,
) => ({ decision_id, ...who, decision_date, decision: outcome, requested_limit, granted_limit });

/** Rows keyed by a column, for readable assertions. */
export function byKey<T extends Record<string, unknown>>(rows: readonly T[], ...cols: string[]): Record<string, T> {
  return Object.fromEntries(rows.map((r) => [cols.map((c) => String(r[c])).join('|'), r]));
}
