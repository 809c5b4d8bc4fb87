import { z } from 'zod';
import { EXPORT_LIMIT, groupFilterShape, param } from '../params.js';
import { customerRows, defineSlice } from './common.js';
import { note } from '../notes.js';
import { latestAsOfSql } from './marketing.js';
import { DUNNING_LADDER, NEXT_STEP_AFTER_DAYS, RISK_WEIGHTS } from '../../warehouse/compile/worklist-rule.js';

/**
 * The collector's worklist: customers with overdue debit items at the as-of date, ranked by
 * mart collection_worklist (overdue amount × risk weight × (1 + oldest days past due / 30), with
 * the last dunning step and the next one; the rule is src/warehouse/compile/worklist-rule.ts).
 * The slice adds who the customer is and applies the page's filters. Promises to pay are not in
 * the canonical tables, so "promise broken" is not shown.
 */
export { RISK_WEIGHTS, DUNNING_LADDER, NEXT_STEP_AFTER_DAYS };

const accountManager = z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N} _.&/'+-]{0,47}$/u, 'account_manager must be a name');

export const worklist = defineSlice({
  name: 'worklist',
  page: 'worklist',
  description: 'Customers to chase today: overdue × risk × days past due, with the next dunning step',
  requires: ['collection_worklist', 'dim_customers'],
  shape: { as_of: param.asOf.optional(), ...groupFilterShape, account_manager: accountManager.optional(), limit: EXPORT_LIMIT },
  kinds: { common_band_label: 'enum', last_action: 'enum', next_step: 'enum', risk_weight: 'number', priority_score: 'number', next_step_due: 'date', last_action_date: 'date' },
  async run(ctx, p) {
    const { catalog } = ctx;
    const hasManager = catalog.hasColumn('dim_customers', 'account_manager');
    const managerFilter = p.account_manager !== undefined && hasManager ? ' AND c.account_manager = $account_manager' : '';
    const res = await customerRows(ctx, ['collection_worklist', 'dim_customers'], p, (where) =>
      `SELECT w.customer_id, c.name, ${hasManager ? 'c.account_manager' : 'CAST(NULL AS VARCHAR)'} AS account_manager,
              w.overdue_amount, w.overdue_items, w.max_days_past_due, w.open_amount, w.common_band_label,
              w.risk_weight, w.priority_score, w.last_action, CAST(w.last_action_date AS VARCHAR) AS last_action_date,
              w.next_step, CAST(w.next_step_due AS VARCHAR) AS next_step_due, COUNT(*) OVER () AS total_rows
       FROM collection_worklist w
       JOIN dim_customers c ON c.customer_id = w.customer_id
       WHERE w.as_of_date = ${latestAsOfSql('collection_worklist')} AND ${where}${managerFilter}
       ORDER BY w.priority_score DESC, w.customer_id
       LIMIT $lim`,
      { lim: p.limit ?? 100, ...(managerFilter ? { account_manager: p.account_manager! } : {}) },
    );
    const notes = [...res.notes, note('no_promises')];
    const ignored = [...res.ignored];
    if (p.account_manager !== undefined && !hasManager) {
      notes.push(note('no_account_manager'));
      ignored.push('account_manager');
    }
    return { rows: res.rows, notes, ignored, meta: { next_step_after_days: NEXT_STEP_AFTER_DAYS } };
  },
});

export const worklistSlices = [worklist];
