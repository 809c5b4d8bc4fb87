import { col } from '../columns.js';
import { defineTable } from '../table.js';

export const sourceFreshness = defineTable({
  name: 'source_freshness',
  description: 'Per dated feed: its last date, rows and days behind the freshest feed (lagging feeds flagged), with the ledger data end.',
  key: ['feed'],
  shape: {
    feed: col.text('Canonical table of the feed (invoices, payments, open_item_snapshots, credit_reports, write_offs, …)'),
    date_column: col.text('Column its last date is taken from'),
    last_date: col.optional(col.date('Latest date in the feed (empty when nothing is loaded)')),
    row_count: col.bigint('Rows loaded'),
    days_behind: col.optional(col.int('Days between last_date and the freshest checked feed')),
    lag_checked: col.boolean('Whether the feed is checked for lag (steady feeds); sparse ones (write-offs, actions, decisions, insolvencies, disputes) are listed only'),
    is_lagging: col.boolean('Checked feed more than max_lag_days behind the freshest one: build warns'),
    max_lag_days: col.int('config freshness.max_lag_days'),
    data_end: col.optional(col.date("The ledger's data end: its last dated event, or the later extract date (config extract_date / ingest --as-of)")),
  },
});
