/**
 * The collector's worklist rule (mart collection_worklist, /worklist): one definition, compiled into
 * the model's SQL and shown on the page.
 *
 *   priority = overdue amount × risk weight × (1 + oldest days past due / 30)
 *
 * The risk weight follows the customer's common band (1 very low … 5 very high risk: 1, 1.25, 1.5,
 * 2, 3; insolvent 4; not rated 1.5). So €10,000 90 days late at a high-risk customer
 * (10,000 × 2 × 4 = 80,000) comes before €20,000 10 days late at a low-risk one (20,000 × 1.25 × 1.33).
 * The next dunning step climbs the ladder reminder → dunning letter → phone call → collection
 * agency → legal, due 14 days after the last step (or at once when none was taken); after an action
 * off the ladder (an e-mail, a payment link) the next step is a dunning letter.
 */
import type { Dialect } from '../dialect/dialect.js';
import { sqlString } from './targets.js';
import type { TemplateArg, TemplateFunction } from './template.js';

export const RISK_WEIGHTS = { 1: 1, 2: 1.25, 3: 1.5, 4: 2, 5: 3, insolvent: 4, unrated: 1.5 } as const;
export const DUNNING_LADDER = ['reminder', 'dunning_letter', 'phone_call', 'collection_agency', 'legal'] as const;
export const NEXT_STEP_AFTER_DAYS = 14;

function expr(v: TemplateArg | undefined, what: string): string {
  if (v === undefined) throw new Error(`missing argument ${what}`);
  return String(v);
}

/** A DOUBLE literal both engines read as DOUBLE (a bare 1.25 is a DECIMAL on Trino). */
const double = (x: number) => `CAST(${x} AS DOUBLE)`;

export function worklistTemplateFunctions(dialect: Dialect): Record<string, TemplateFunction> {
  return {
    /** {{ worklist_risk_weight('band', 'insolvent') }}: the risk weight of a common band (DOUBLE). */
    worklist_risk_weight: (band, insolvent) => {
      const b = expr(band, 'common band');
      const bands = ([1, 2, 3, 4, 5] as const).map((n) => `WHEN ${b} = ${n} THEN ${double(RISK_WEIGHTS[n])}`).join(' ');
      return `CASE WHEN ${expr(insolvent, 'insolvency flag')} THEN ${double(RISK_WEIGHTS.insolvent)} ${bands} ELSE ${double(RISK_WEIGHTS.unrated)} END`;
    },
    /** {{ dunning_next_step('last_action_type') }}: the step after the last one (NULL = none taken yet). */
    dunning_next_step: (type) => {
      const t = expr(type, 'last action type');
      const steps = DUNNING_LADDER.map((s, i) => `WHEN ${sqlString(s)} THEN ${sqlString(DUNNING_LADDER[Math.min(i + 1, DUNNING_LADDER.length - 1)]!)}`).join(' ');
      return `CASE WHEN ${t} IS NULL THEN ${sqlString(DUNNING_LADDER[0])} ELSE CASE ${t} ${steps} ELSE ${sqlString(DUNNING_LADDER[1])} END END`;
    },
    /** {{ dunning_next_step_due('last_action_date', 'as_of_date') }}: when the next step is due (DATE). */
    dunning_next_step_due: (last, asOf) => {
      const l = expr(last, 'last action date');
      return `CAST(CASE WHEN ${l} IS NULL THEN ${expr(asOf, 'as-of date')} ELSE ${dialect.addDays(l, String(NEXT_STEP_AFTER_DAYS))} END AS DATE)`;
    },
  };
}
