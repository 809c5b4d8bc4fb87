import type { DataRow } from '../../src/serve/contract.js';
import { formatMoney, formatNumber, type Lang } from './format.js';
import { label } from './i18n.js';

/**
 * The reason of a priority in the reader's language, from the rule the models applied
 * (`priority_rule`) and the figures it looked at, so a Dutch page does not show the models'
 * English sentence or a raw `headroom 761920.45`. Rows without a rule keep the models' text.
 */
const TEXT: Record<Lang, Record<string, (v: Record<string, string>) => string>> = {
  en: {
    insolvent: () => 'insolvent in the latest credit report',
    high_risk_band: (v) => `${v.band} (common band ${v.common_band})`,
    very_late_payer: (v) => `pays ${v.days} days late on average (12 months)`,
    late_payer: (v) => `pays ${v.days} days late on average (12 months)`,
    very_late_payers: (v) => `customers pay ${v.days} days late on average`,
    late_payers: (v) => `customers pay ${v.days} days late on average`,
    over_limit: (v) => `open AR ${v.open_ar} above the credit limit ${v.credit_limit}`,
    band_worsened: (v) => `band worsened by ${v.band_change} in 3 months, now ${v.band}`,
    moderate_band: (v) => `moderate risk (common band ${v.common_band})`,
    risky_industry: (v) => `industry ${v.sbi} bankruptcy rate ${v.rate} per 1,000 (overall ${v.overall})${v.rising ? ', rising' : ''}`,
    insolvencies: (v) => `${v.insolvent} of ${v.customers} customers insolvent`,
    no_headroom: (v) => `open AR ${v.open_ar} uses all credit limits`,
    grow: (v) => `${v.band}, revenue ${v.growth ? `up ${v.growth}` : 'new'}${v.headroom ? `, headroom ${v.headroom}` : ''}`,
    not_rated: () => 'not rated',
    shrinking: () => 'revenue shrinking',
    no_headroom_keep: () => 'no headroom under the credit limit',
    no_signal: () => 'no risk signal',
  },
  nl: {
    insolvent: () => 'insolvent volgens het laatste kredietrapport',
    high_risk_band: (v) => `${v.band} (risicoklasse ${v.common_band})`,
    very_late_payer: (v) => `betaalt gemiddeld ${v.days} dagen te laat (12 maanden)`,
    late_payer: (v) => `betaalt gemiddeld ${v.days} dagen te laat (12 maanden)`,
    very_late_payers: (v) => `klanten betalen gemiddeld ${v.days} dagen te laat`,
    late_payers: (v) => `klanten betalen gemiddeld ${v.days} dagen te laat`,
    over_limit: (v) => `openstaand ${v.open_ar} boven de kredietlimiet ${v.credit_limit}`,
    band_worsened: (v) => `risicoklasse ${v.band_change} verslechterd in 3 maanden, nu ${v.band}`,
    moderate_band: (v) => `gemiddeld risico (risicoklasse ${v.common_band})`,
    risky_industry: (v) => `branche ${v.sbi}: ${v.rate} faillissementen per 1.000 (totaal ${v.overall})${v.rising ? ', stijgend' : ''}`,
    insolvencies: (v) => `${v.insolvent} van ${v.customers} klanten insolvent`,
    no_headroom: (v) => `openstaand ${v.open_ar} gebruikt alle kredietlimieten`,
    grow: (v) => `${v.band}, omzet ${v.growth ? `${v.growth} hoger` : 'nieuw'}${v.headroom ? `, ruimte ${v.headroom}` : ''}`,
    not_rated: () => 'zonder score',
    shrinking: () => 'omzet daalt',
    no_headroom_keep: () => 'geen ruimte onder de kredietlimiet',
    no_signal: () => 'geen risicosignaal',
  },
};

const n = (v: DataRow[string] | undefined): number | null => (v === null || v === undefined || v === '' || typeof v === 'boolean' ? null : Number(v));

export function priorityReason(r: DataRow, lang: Lang, currency: string): string | null {
  const rule = typeof r.priority_rule === 'string' ? r.priority_rule : null;
  if (!rule) return typeof r.reason === 'string' ? r.reason : null;
  const money = (v: DataRow[string] | undefined) => formatMoney(n(v), lang, currency);
  const rev = n(r.revenue_t12m);
  const prev = n(r.revenue_prev_t12m);
  const growth = n(r.revenue_growth) ?? (rev !== null && prev ? (rev - prev) / prev : null);
  const limit = n(r.credit_limit);
  const open = n(r.open_ar);
  const headroom = n(r.headroom) ?? (limit !== null && open !== null ? limit - open : null);
  const days = n(r.avg_days_late_12m) ?? n(r.mean_days_late_12m);
  const v: Record<string, string> = {
    band: typeof r.common_band_label === 'string' ? label(lang, r.common_band_label) : '',
    common_band: String(r.common_band ?? ''),
    days: days === null ? '' : formatNumber(Math.round(days), lang),
    open_ar: money(r.open_ar),
    credit_limit: money(r.credit_limit),
    band_change: String(r.band_change_3m ?? ''),
    sbi: String(r.sbi_section ?? ''),
    rate: formatNumber(n(r.industry_rate_per_1000), lang, 1),
    overall: formatNumber(n(r.overall_rate_per_1000), lang, 1),
    rising: r.industry_rising === true || r.industry_rising === 1 || r.industry_rising === '1' ? '1' : '',
    insolvent: formatNumber(n(r.insolvent_customers), lang),
    customers: formatNumber(n(r.customers), lang),
    growth: prev && prev > 0 && growth !== null ? `${formatNumber(Math.round(growth * 100), lang)}%` : '',
    headroom: headroom === null ? '' : money(headroom),
  };
  const text = TEXT[lang];
  if (rule !== 'keep') return (text[rule] ?? (() => (typeof r.reason === 'string' ? r.reason : rule)))(v);
  if (r.common_band === null || r.common_band === undefined) return text.not_rated!(v);
  if (rev !== null && prev !== null && rev < prev) return text.shrinking!(v);
  if (limit !== null && open !== null && limit - open <= 0 && r.customers === undefined) return text.no_headroom_keep!(v);
  return text.no_signal!(v);
}

/**
 * What changed in a risk alert, in the reader's language, from the alert's typed columns (the
 * mart's `detail` line is English, for analysts). Builds older than those columns keep `detail`.
 */
export function alertDetail(r: DataRow, lang: Lang, currency: string): string | null {
  const reason = typeof r.reason === 'string' ? r.reason : '';
  const num = (v: DataRow[string] | undefined, digits = 0) => (n(v) === null ? '' : formatNumber(n(v), lang, digits));
  const provider = typeof r.provider === 'string' ? label(lang, r.provider) : '';
  const nl = lang === 'nl';
  const has = (k: string) => r[k] !== null && r[k] !== undefined;
  switch (reason) {
    case 'score_drop':
      if (!has('value_after')) break;
      return `${nl ? `score ${provider}` : `${provider} score`} ${num(r.value_before)} → ${num(r.value_after)}`;
    case 'band_worsened':
      if (!has('value_after')) break;
      return `${nl ? `risicoklasse ${provider}` : `${provider} risk band`} ${num(r.value_before)} → ${num(r.value_after)}`;
    case 'insolvency_event': {
      if (!has('subject')) break;
      const ref = typeof r.reference === 'string' && r.reference ? ` (${nl ? 'zaak' : 'case'} ${r.reference})` : '';
      return `${label(lang, String(r.subject))}${ref}`;
    }
    case 'over_limit':
      if (!has('alert_open_ar')) break;
      return nl
        ? `openstaand ${formatMoney(n(r.alert_open_ar), lang, currency)} boven limiet ${formatMoney(n(r.alert_credit_limit), lang, currency)}`
        : `open AR ${formatMoney(n(r.alert_open_ar), lang, currency)} above limit ${formatMoney(n(r.alert_credit_limit), lang, currency)}`;
    case 'industry_rate_rising':
      if (!has('value_after')) break;
      return nl
        ? `branche ${r.subject ?? ''}: ${num(r.value_after, 1)} faillissementen per 1.000 (12 maanden)`
        : `industry ${r.subject ?? ''}: ${num(r.value_after, 1)} bankruptcies per 1,000 (12 months)`;
  }
  return typeof r.detail === 'string' ? r.detail : null;
}
