import { fetchSlice } from '../api.js';
import { barChart } from '../charts/bars.js';
import { enumLabel, tableOf } from '../charts/tables.js';
import { LINE_STYLES, baseOption, num, type ChartModel, type DataRow } from '../charts/common.js';
import { formatDate, formatValue } from '../format.js';
import { t, type LabelKey } from '../i18n.js';
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

/** Score per provider over time (each on its own 0-100 scale), and the common band as a table. */
function scoresChart(rows: DataRow[], env: PageEnv): ChartModel {
  const ctx = env.ctx;
  const providers = [...new Set(rows.map((r) => String(r.provider)))];
  const dates = [...new Set(rows.map((r) => String(r.report_date)))].sort();
  const option = {
    ...baseOption(),
    xAxis: { type: 'category' as const, data: dates.map((d) => formatDate(d, ctx.lang)) },
    yAxis: { type: 'value' as const, name: t(ctx.lang, 'score') },
    series: providers.map((p, i) => ({
      name: enumLabel(ctx, 'provider', p),
      type: 'line' as const,
      connectNulls: true,
      ...LINE_STYLES[i % LINE_STYLES.length],
      data: dates.map((d) => num(rows.find((r) => r.provider === p && r.report_date === d)?.score ?? null)),
    })),
  };
  const table = tableOf('customer_scores', { rows, columns: [
    { name: 'report_date', kind: 'date' }, { name: 'provider', kind: 'enum' }, { name: 'score', kind: 'number' },
    { name: 'rating', kind: 'text' }, { name: 'common_band', kind: 'int' }, { name: 'credit_limit_advice', kind: 'money' },
  ] }, ctx, ['report_date', 'provider', 'score', 'rating', 'common_band', 'credit_limit_advice']);
  const last = rows[rows.length - 1];
  const summary = last
    ? `${t(ctx.lang, 'c_scores')}: ${providers.map((p) => enumLabel(ctx, 'provider', p)).join(', ')}; ${formatDate(String(last.report_date), ctx.lang)} ${enumLabel(ctx, 'provider', String(last.provider))} ${formatValue(last.score ?? last.rating ?? null, 'text', ctx.lang)}.`
    : t(ctx.lang, 'empty');
  return { option: option as unknown as ChartModel['option'], table, summary };
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
      card.showChart(barChart(data.rows, {
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
      card.showChart(barChart(data.rows, {
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
            text: `${r.name} · ${r.customer_id}${r.kvk_number ? ` · KvK ${r.kvk_number}` : ''}`,
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

