import { note, type Note } from '../notes.js';
import { z } from 'zod';
import { monthStart, param } from '../params.js';
import { asOfOf, defineSlice, periodRows, requireMart } from './common.js';

const periodShape = { as_of: param.asOf.optional(), period: param.period.optional() };
const month = (col: string) => `CAST(date_trunc('month', ${col}) AS DATE)`;

export const collectionActivity = defineSlice({
  name: 'collection_activity',
  page: 'collections',
  description: 'Reminders, dunning letters, calls and other actions per day',
  requires: ['collection_activity_daily'],
  shape: periodShape,
  kinds: { action_type: 'enum' },
  async run(ctx, p) {
    const rows = await periodRows(ctx, 'collection_activity_daily', p,
      `SELECT CAST(action_date AS VARCHAR) AS day, action_type, SUM(actions) AS actions
       FROM collection_activity_daily
       WHERE action_date BETWEEN CAST($from AS DATE) AND CAST($to AS DATE)
       GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    return { rows };
  },
});

export const collectionCosts = defineSlice({
  name: 'collection_costs',
  page: 'collections',
  description: 'Collection costs per month and cost category',
  requires: ['collection_costs_monthly'],
  shape: periodShape,
  kinds: { month: 'month', cost_category: 'enum' },
  async run(ctx, p) {
    const rows = await periodRows(ctx, 'collection_costs_monthly', p,
      `SELECT CAST(${month('month')} AS VARCHAR) AS month, cost_category, SUM(cost) AS cost
       FROM collection_costs_monthly
       WHERE month BETWEEN CAST($from AS DATE) AND CAST($to AS DATE)
       GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    return { rows };
  },
});

export const creditDecisions = defineSlice({
  name: 'credit_decisions',
  page: 'collections',
  description: 'Credit decisions per month: refused, limited, acceptance rate',
  requires: ['credit_decisions_monthly'],
  shape: periodShape,
  kinds: { month: 'month', acceptance_rate: 'ratio' },
  async run(ctx, p) {
    const rows = await periodRows(ctx, 'credit_decisions_monthly', p,
      `SELECT CAST(${month('month')} AS VARCHAR) AS month, decisions, refused, limited, acceptance_rate
       FROM credit_decisions_monthly
       WHERE applicant_type = 'ALL' AND month BETWEEN CAST($from AS DATE) AND CAST($to AS DATE) ORDER BY month`,
    );
    return { rows };
  },
});

const GROUP_DIMS = ['segment', 'sbi_section', 'country', 'size'] as const;
const GROUP_BY_NAME = { segment: 'segment', sbi_section: 'sbi_section', country: 'country', size: 'size_class' } as const;

export const dsoChangeByGroup = defineSlice({
  name: 'dso_change_by_group',
  page: 'collections',
  description: 'DSO of the as-of month and its change vs the previous month, per customer group',
  requires: ['dso_monthly'],
  kinds: { dso: 'days', dso_change: 'signed' },
  shape: {
    as_of: param.asOf.optional(),
    group_by: z.enum(GROUP_DIMS, { error: `group_by must be one of ${GROUP_DIMS.join(', ')}` }).optional(),
  },
  async run({ engine, catalog }, p) {
    requireMart(catalog, 'dso_monthly');
    const asOf = asOfOf(catalog, p.as_of);
    const dim = p.group_by ?? 'segment';
    const notes: Note[] = [];
    let where: string;
    let label: string;
    const bind: Record<string, string> = { m: monthStart(asOf) };
    if (catalog.hasColumn('dso_monthly', 'group_by')) {
      where = 'group_by = $group_by';
      label = 'group_value';
      bind.group_by = GROUP_BY_NAME[dim];
    } else {
      where = `segment <> 'ALL'`;
      label = 'segment';
      if (dim !== 'segment') notes.push(note('dso_no_breakdown', { filter: dim }));
    }
    const { rows } = await engine.query(
      `SELECT ${label} AS customer_group, dso, dso_change FROM dso_monthly
       WHERE ${where} AND ${month('month')} = CAST($m AS DATE) ORDER BY dso_change DESC NULLS LAST, customer_group`,
      bind,
    );
    return { rows, notes, meta: { group_by: dim } };
  },
});

export const collectionsSlices = [collectionActivity, collectionCosts, creditDecisions, dsoChangeByGroup];
