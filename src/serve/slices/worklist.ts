import { z } from 'zod';
import { EXPORT_LIMIT, groupFilterShape, param } from '../params.js';
import { customerRows, defineSlice } from './common.js';
import { latestAsOfSql } from './marketing.js';

/**
 * The collector's worklist: customers with overdue debit items at the as-of date, ranked by
 *
 *   priority = overdue amount × risk weight × (1 + oldest days past due / 30)
 *
 * where the risk weight follows the customer's common band (1 very low … 5 very high risk:
 * 1, 1.25, 1.5, 2, 3; insolvent 4; not rated 1.5). So €10,000 90 days late at a high-risk customer
 * (10,000 × 2 × 4 = 80,000) comes before €20,000 10 days late at a low-risk one (20,000 × 1.25 × 1.33).
 * Beside the rank: the last dunning step and the next one on the ladder reminder → dunning letter →
 * phone call → collection agency → legal, due 14 days after the last step (or now, when none was
 * taken). Promises to pay are not in the canonical tables, so "promise broken" is not shown.
 */
export const RISK_WEIGHTS = { 1: 1, 2: 1.25, 3: 1.5, 4: 2, 5: 3, insolvent: 4, unrated: 1.5 } as const;
export const DUNNING_LADDER = ['reminder', 'dunning_letter', 'phone_call', 'collection_agency', 'legal'] as const;
export const NEXT_STEP_AFTER_DAYS = 14;

const accountManager = z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N} _.&/'+-]{0,47}$/u, 'account_manager must be a name');

export const worklist = defineSlice({
  name: 'worklist',
  page: 'worklist',
  description: 'Customers to chase today: overdue × risk × days past due, with the next dunning step',
  requires: ['ar_open_items', 'customers'],
  shape: { as_of: param.asOf.optional(), ...groupFilterShape, account_manager: accountManager.optional(), limit: EXPORT_LIMIT },
  kinds: { common_band_label: 'enum', last_action: 'enum', next_step: 'enum', risk_weight: 'number', priority_score: 'number', next_step_due: 'date', last_action_date: 'date' },
  async run(ctx, p) {
    const { catalog, engine } = ctx;
    const hasManager = catalog.hasColumn('customers', 'account_manager');
    const risk = catalog.has('customer_risk');
    const actions = catalog.has('stg_collection_actions');
    const weight = risk
      ? `CASE WHEN r.insolvency_flag THEN ${RISK_WEIGHTS.insolvent} ${[1, 2, 3, 4, 5].map((b) => `WHEN r.common_band = ${b} THEN ${RISK_WEIGHTS[b as 1]}`).join(' ')} ELSE ${RISK_WEIGHTS.unrated} END`
      : String(RISK_WEIGHTS.unrated);
    const ladder = DUNNING_LADDER.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ');
    const nextOf = DUNNING_LADDER.map((s, i) => `WHEN ${i} THEN '${DUNNING_LADDER[Math.min(i + 1, DUNNING_LADDER.length - 1)]}'`).join(' ');
    const d = engine.dialect;
    const managerFilter = p.account_manager !== undefined && hasManager ? ' AND c.account_manager = $account_manager' : '';
    const res = await customerRows(ctx, ['ar_open_items', 'customers'], p, (where) =>
      `WITH items AS (
         SELECT o.customer_id,
                SUM(CASE WHEN o.days_past_due > 0 AND o.open_amount > 0 THEN o.open_amount ELSE 0 END) AS overdue_amount,
                SUM(CASE WHEN o.days_past_due > 0 AND o.open_amount > 0 THEN 1 ELSE 0 END) AS overdue_items,
                MAX(CASE WHEN o.open_amount > 0 THEN o.days_past_due END) AS max_days_past_due,
                SUM(o.open_amount) AS open_amount
         FROM ar_open_items o WHERE o.as_of_date = ${latestAsOfSql('ar_open_items')}
         GROUP BY o.customer_id
       ),
       last_action AS (
         ${actions
           ? `SELECT customer_id, action_type, action_date FROM (
                SELECT customer_id, action_type, action_date,
                       row_number() OVER (PARTITION BY customer_id ORDER BY action_date DESC, action_id DESC) AS rn
                FROM stg_collection_actions WHERE action_date <= CAST($as_of AS DATE)) x WHERE rn = 1`
           : 'SELECT CAST(NULL AS VARCHAR) AS customer_id, CAST(NULL AS VARCHAR) AS action_type, CAST(NULL AS DATE) AS action_date WHERE 1 = 0'}
       ),
       ranked AS (
         SELECT i.customer_id, c.name, ${hasManager ? 'c.account_manager' : 'CAST(NULL AS VARCHAR)'} AS account_manager,
                i.overdue_amount, i.overdue_items, i.max_days_past_due, i.open_amount,
                ${risk ? 'r.common_band_label' : 'CAST(NULL AS VARCHAR)'} AS common_band_label,
                ${weight} AS risk_weight,
                la.action_type AS last_action, CAST(la.action_date AS VARCHAR) AS last_action_date,
                CASE WHEN la.action_type IS NULL THEN '${DUNNING_LADDER[0]}'
                     ELSE CASE (CASE la.action_type ${ladder} ELSE -1 END) ${nextOf} ELSE '${DUNNING_LADDER[1]}' END END AS next_step,
                CAST(CASE WHEN la.action_date IS NULL THEN CAST($as_of AS DATE) ELSE ${d.addDays('la.action_date', NEXT_STEP_AFTER_DAYS)} END AS VARCHAR) AS next_step_due
         FROM items i
         JOIN customers c ON c.customer_id = i.customer_id
         ${risk ? `LEFT JOIN customer_risk r ON r.customer_id = i.customer_id AND r.as_of_date = ${latestAsOfSql('customer_risk')}` : ''}
         LEFT JOIN last_action la ON la.customer_id = i.customer_id
         WHERE i.overdue_amount > 0 AND ${where}${managerFilter}
       )
       SELECT customer_id, name, account_manager, overdue_amount, overdue_items, max_days_past_due, open_amount, common_band_label,
              risk_weight, CAST(overdue_amount AS DOUBLE) * risk_weight * (1 + CAST(max_days_past_due AS DOUBLE) / CAST(30 AS DOUBLE)) AS priority_score,
              last_action, last_action_date, next_step, next_step_due, COUNT(*) OVER () AS total_rows
       FROM ranked
       ORDER BY priority_score DESC, customer_id
       LIMIT $lim`,
      { lim: p.limit ?? 100, ...(managerFilter ? { account_manager: p.account_manager! } : {}) },
    );
    const notes = [...res.notes, 'promises to pay are not in the data: no "promise broken" flag'];
    const ignored = [...res.ignored];
    if (p.account_manager !== undefined && !hasManager) {
      notes.push('customers carry no account_manager: owner filter not applied');
      ignored.push('account_manager');
    }
    return { rows: res.rows, notes, ignored, meta: { next_step_after_days: NEXT_STEP_AFTER_DAYS } };
  },
});

export const worklistSlices = [worklist];
