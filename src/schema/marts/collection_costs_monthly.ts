import { col } from '../columns.js';
import { defineTable } from '../table.js';

export const collectionCostsMonthly = defineTable({
  name: 'collection_costs_monthly',
  description: 'Collection costs per month and cost category (agency, legal, internal; config collections.cost_categories), with counts and the share of the month.',
  key: ['month', 'cost_category'],
  shape: {
    month: col.date('First day of the month'),
    month_end: col.date('Last day of the month'),
    cost_category: col.text('Cost category of the action types (config collections.cost_categories; default agency, legal, internal)'),
    actions: col.bigint('Collection actions in the category in the month'),
    customers: col.bigint('Distinct customers they were aimed at'),
    documents: col.bigint('Distinct documents they chased'),
    cost: col.money('Recorded cost of those actions'),
    cost_per_action: col.optional(col.number('cost / actions (empty without actions)')),
    month_total_cost: col.money('Cost of all categories in the month'),
    share_of_month: col.optional(col.number('cost / month_total_cost (0..1; empty when the month cost nothing)')),
    is_complete: col.boolean("False for a partial or later month: the ledger's data ends before this month end (mid-month export), so the month's figures cover only part of it"),
  },
});
