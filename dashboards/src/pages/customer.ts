import { fetchSlice } from '../api.js';
import { barPlot } from '../charts/bars.js';
import type { PlotModel, PlotSeries, PlotSpec } from '../charts/plot.js';
import { enumLabel, tableOf } from '../charts/tables.js';
import { num, type DataRow } from '../charts/common.js';
import { COMMON_BANDS } from '../../../src/feeds/credit-report/scales.js';
import { formatDate, formatValue } from '../format.js';
import { label, t, type LabelKey } from '../i18n.js';
import { h } from '../ui/dom.js';
import { priorityReason } from '../reasons.js';
import { customerLink, tableSection } from './table-section.js';
import type { OkSlice, PageEnv, SectionDef } from './types.js';

/** Fields of the identity card, in reading order. */
const PROFILE_FIELDS: string[] = [
  'customer_id', 'kvk_number', 'vat_number', 'country', 'sbi_section', 'sbi_code', 'segment', 'size_class', 'account_manager',
  'payment_terms_days', 'credit_limit', 'open_ar', 'overdue_ar', 'utilisation', 'headroom',
  'provider', 'score', 'rating', 'common_band_label', 'insolvency_date', 'avg_days_late_12m', 'priority', 'priority_rank', 'reason',
];

function profileView(data: OkSlice, env: PageEnv): HTMLElement {
  const r = data.rows[0]!;
  const kinds = new Map(data.columns.map((c) => [c.name, c.kind]));
  const items: HTMLElement[] = [];
  for (const f of PROFILE_FIELDS) {
    if (!kinds.has(f) || r[f] === null || r[f] === undefined) continue;
    const kind = kinds.get(f)!;
    const v = r[f]!;
    const text = f === 'reason' ? (priorityReason(r, env.ctx.lang, env.ctx.currency) ?? '') : kind === 'enum' && typeof v === 'string' ? enumLabel(env.ctx, f, v) : formatValue(v, kind === 'enum' ? 'text' : kind, env.ctx.lang, String(r.currency ?? env.ctx.currency));
    items.push(h('div', { 'data-field': f }, h('dt', { text: t(env.ctx.lang, f as LabelKey) }), h('dd', { text })));
  }
  return h('dl', { class: 'profile' }, ...items);
}

/**
 * Each provider's reports over time on the common 5-band scale (1 = very low risk, drawn on top), a
 * line per provider: providers score on scales that cannot share an axis (Creditsafe 0-100, D&B
 * percentiles, Graydon letters without a number), their bands can. The score or rating as printed
 * is in the tooltip and the table. A report without a band (not rated) is a gap in its line.
 */
function scoresChart(rows: DataRow[], env: PageEnv): PlotModel {
  const ctx = env.ctx;
  const providers = [...new Set(rows.map((r) => String(r.provider)))];
  const dates = [...new Set(rows.map((r) => String(r.report_date)))].sort();
  // The last report of a provider on a date (rows come ordered by date, provider, report).
  const at = new Map<string, DataRow>();
  for (const r of rows) at.set(`${r.provider}\u0000${r.report_date}`, r);
  const bandName = (b: number) => label(ctx.lang, COMMON_BANDS.find((x) => x.band === b)?.label ?? 'not rated');
  const printed = (r: DataRow) =>
    [r.score !== null && r.score !== undefined ? formatValue(r.score, Number.isInteger(num(r.score)) ? 'int' : 'number', ctx.lang) : '', typeof r.rating === 'string' ? r.rating : ''].filter(Boolean).join(' · ');
  const pointText = (r: DataRow) => {
    const band = num(r.common_band ?? null);
    const p = printed(r);
    return `${band === null ? label(ctx.lang, 'not rated') : `${band} ${bandName(band)}`}${p ? ` (${p})` : ''}`;
  };
  const plot: PlotSpec = {
    categories: dates.map((d) => formatDate(d, ctx.lang)),
    axes: [{ min: 1, max: 5, interval: 1, inverse: true, format: (v) => `${v} ${bandName(v)}` }],
    series: providers.map((p, i): PlotSeries => ({
      name: enumLabel(ctx, 'provider', p),
      kind: 'line',
      axis: 0,
      step: true,
      style: i,
      // undefined where the provider has no report that day (the line carries on); null where its report has no band.
      values: dates.map((d) => {
        const r = at.get(`${p}\u0000${d}`);
        return r ? num(r.common_band ?? null) : undefined;
      }),
      text: (k) => {
        const r = at.get(`${p}\u0000${dates[k]}`);
        return r ? pointText(r) : '';
      },
    })),
    // Each provider with a report that day: its band and the score or rating as printed.
    tooltip: (k) =>
      providers.flatMap((p, i) => {
        const r = at.get(`${p}\u0000${dates[k]}`);
        return r ? [{ series: i, text: `${enumLabel(ctx, 'provider', p)}: ${pointText(r)}` }] : [];
      }),
  };
  const table = tableOf('customer_scores', { rows, columns: [
    { name: 'report_date', kind: 'date' }, { name: 'provider', kind: 'enum' }, { name: 'score', kind: 'number' },
    { name: 'rating', kind: 'text' }, { name: 'common_band', kind: 'int' }, { name: 'credit_limit_advice', kind: 'money' },
  ] }, ctx, ['report_date', 'provider', 'score', 'rating', 'common_band', 'credit_limit_advice']);
  // The latest report of each provider, read out.
  const latest = providers.map((p) => {
    const r = [...rows].reverse().find((x) => x.provider === p)!;
    return `${enumLabel(ctx, 'provider', p)} ${formatDate(String(r.report_date), ctx.lang)}: ${pointText(r)}`;
  });
  const summary = rows.length ? `${t(ctx.lang, 'c_scores')}. ${latest.join('; ')}.` : t(ctx.lang, 'empty');
  return { plot, table, summary };
}

const SECTIONS: SectionDef[] = [
  {
    id: 'customer_profile',
    slice: 'customer_profile',
    title: 'c_profile',
    wide: true,
    render(card, data, env) {
      if (typeof data.rows[0]?.name === 'string') card.setTitle(data.rows[0].name);
      card.showContent(profileView(data, env), tableOf('customer_profile', data, env.ctx, PROFILE_FIELDS));
    },
  },
  {
    id: 'customer_history',
    slice: 'customer_history',
    title: 'c_history',
    wide: true,
    render(card, data, env) {
      card.showChart(barPlot(data.rows, {
        title: 'c_history',
        category: { key: 'month', kind: 'month' },
        bars: [{ key: 'open_ar', kind: 'money' }, { key: 'overdue_ar', kind: 'money' }],
        lines: [{ key: 'credit_limit', kind: 'money' }],
      }, env.ctx));
    },
  },
  {
    id: 'customer_days_late',
    slice: 'customer_history',
    title: 'c_days_late',
    render(card, data, env) {
      card.showChart(barPlot(data.rows, {
        title: 'c_days_late',
        category: { key: 'month', kind: 'month' },
        bars: [{ key: 'avg_days_late_12m', kind: 'days' }],
        lines: [{ key: 'utilisation', kind: 'ratio' }],
      }, env.ctx));
    },
  },
  {
    id: 'customer_scores',
    slice: 'customer_scores',
    title: 'c_scores',
    render(card, data, env) {
      card.showChart(scoresChart(data.rows, env));
    },
  },
  tableSection('customer_open_items', 'c_open_items'),
  tableSection('customer_payments', 'c_payments_title'),
  tableSection('customer_actions', 'c_actions'),
];

/** Without a customer in the path the page is the search alone. */
export const customerSections: SectionDef[] = SECTIONS.map((s) => ({ ...s, when: (env: PageEnv) => env.state.customer_id !== undefined }));

/**
 * Search by name, customer number or KvK number: results as links to their customer pages. The
 * search runs as you type (debounced), and Enter opens the first match.
 */
export function customerSearch(env: PageEnv): HTMLElement {
  const lang = env.ctx.lang;
  const list = h('ul', { class: 'search-results', id: 'customer-search-results', role: 'list' });
  const input = h('input', {
    type: 'search',
    id: 'customer-search',
    name: 'q',
    autocomplete: 'off',
    placeholder: t(lang, 'search_placeholder'),
    'aria-controls': 'customer-search-results',
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let seq = 0;
  const run = async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (q.length < 2) return void list.replaceChildren();
    try {
      const res = await fetchSlice('customer_search', { q });
      if (mine !== seq) return;
      if (res.status !== 'ok' || !res.rows.length) return void list.replaceChildren(h('li', { text: t(lang, 'no_match') }));
      list.replaceChildren(
        ...res.rows.map((r) =>
          h('li', {}, h('a', {
            href: env.href({ page: 'customer', customer_id: String(r.customer_id) }),
            'data-customer': String(r.customer_id),
            // A customer without a master record has no name: its number alone.
            text: [r.name, r.customer_id, r.kvk_number ? `KvK ${r.kvk_number}` : null].filter((x) => x !== null && x !== undefined).join(' · '),
            onclick: (e: Event) => {
              e.preventDefault();
              env.navigate({ page: 'customer', customer_id: String(r.customer_id) });
            },
          })),
        ),
        ...(res.total_rows > res.rows.length ? [h('li', { class: 'more', text: t(lang, 'n_of_m', { n: String(res.rows.length), m: String(res.total_rows) }) })] : []),
      );
    } catch (e) {
      list.replaceChildren(h('li', { role: 'alert', text: t(lang, 'failed', { error: (e as Error).message }) }));
    }
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), 200);
  });
  input.addEventListener('keydown', (e) => {
    if ((e as KeyboardEvent).key !== 'Enter') return;
    e.preventDefault();
    (list.querySelector('a') as HTMLAnchorElement | null)?.click();
  });
  return h('search', { class: 'customer-search' }, h('label', { for: 'customer-search', text: t(lang, 'search_customer') }), input, list);
}

