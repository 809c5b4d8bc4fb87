/**
 * Notes a slice attaches to its numbers, as a code with values, so each reader words them in its own
 * language: the API sends the English sentence (`notes`) and the code (`note_refs`), the dashboards
 * word the code in the page's language. Shared by the server and the browser bundle.
 */
export const NOTE_TEXT = {
  grouped_one_dimension: '{mart} is grouped by one dimension at a time: showing {filter} = {value} (ignoring {filters})',
  no_breakdown: '{mart} has no {filters} breakdown yet: filter not applied',
  not_by_group: '{mart} is not broken down by customer group: filters not applied',
  customers_no_column: 'customers has no {column} column: {filter} filter not applied',
  write_off_costs_missing: 'write-off costs need mart write_offs_monthly: showing amounts written off',
  cash_forecast_portfolio: 'the cash forecast is made for the whole portfolio only',
  cash_forecast_13w_portfolio: 'the 13-week cash forecast is made for the whole portfolio only',
  month_in_progress: '{month} is still in progress ({days} days of data): its flows are partial',
  no_complete_month: '{month} is still in progress: no complete month yet',
  last_complete_month: 'showing {complete}, the last complete month; {month} is in progress ({days} days of data)',
  dso_no_breakdown: 'dso_monthly has no {filter} breakdown yet: showing segments',
  no_customer: 'no customer {customer}',
  not_in_master: '{customer} is not in the customer master (invoiced or paying without a record): no name, identity or terms; counted under "unknown" segment, country and size',
  no_utilisation: 'credit_limit_utilisation not built: no utilisation',
  no_score: 'customer_risk not built: no score',
  action_amounts: 'amount: cost of the action, or the amount written off (negative: recovered)',
  unscored_left_out: '{count} customers without a numeric score are left out (see the prioritised list)',
  unscored_left_out_one: '1 customer without a numeric score is left out (see the prioritised list)',
  rising_ranked: 'ranked: sections with at least {min} monitored companies; bars show the 95 % interval of the rate',
  rising_small_left_out: '{count} rising sections with fewer than {min} monitored companies are not ranked',
  rising_small_left_out_one: '1 rising section with fewer than {min} monitored companies is not ranked',
  national_rate: 'national rate: CBS bankruptcies / firms of the section where CBS covers the quarter, else the CBS baseline',
  no_promises: 'promises to pay are not in the data: no "promise broken" flag',
  no_account_manager: 'customers carry no account_manager: owner filter not applied',
} as const;

export type NoteCode = keyof typeof NOTE_TEXT;

export interface Note {
  code: NoteCode;
  vars: Record<string, string>;
}

/** A note about a count: the singular wording when the count is 1 (`<code>_one`). */
export function countNote(code: 'unscored_left_out' | 'rising_small_left_out', count: number, vars: Record<string, string | number> = {}): Note {
  return note(count === 1 ? `${code}_one` : code, { count, ...vars });
}

export function note(code: NoteCode, vars: Record<string, string | number> = {}): Note {
  return { code, vars: Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)])) };
}

/** A note worded from a template ({name} = a value). */
export function wordNote(n: Note, templates: Record<NoteCode, string> = NOTE_TEXT): string {
  return templates[n.code].replace(/\{(\w+)\}/g, (_, k: string) => n.vars[k] ?? `{${k}}`);
}
