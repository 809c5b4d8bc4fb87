import { exportUrl, fetchMeta, fetchSlice, type Meta, type SliceResponse } from './api.js';
import { formatDate, type Lang } from './format.js';
import { label, t, type LabelKey } from './i18n.js';
import { cfoSections } from './pages/cfo.js';
import { collectionsSections } from './pages/collections.js';
import { marketingSections } from './pages/marketing.js';
import { riskSections } from './pages/risk.js';
import { customerSearch, customerSections } from './pages/customer.js';
import { worklistRule, worklistSections } from './pages/worklist.js';
import { enumLabel } from './charts/tables.js';
import type { PageEnv, SectionDef } from './pages/types.js';
import { GROUP_BY_IDS, PAGE_IDS, PAGES_WITHOUT_CHART_LIBRARY, PERIOD_IDS, parseState, sliceQuery, toUrl, withChanges, type PageId, type ViewState } from './state.js';
import { Card, loadChartLibrary } from './ui/card.js';
import { noteText } from './notes.js';
import { h } from './ui/dom.js';

const SECTIONS: Record<PageId, SectionDef[]> = {
  cfo: cfoSections,
  marketing: marketingSections,
  risk: riskSections,
  collections: collectionsSections,
  customer: customerSections,
  worklist: worklistSections,
};

/** Filters in the order they appear; a page shows those its slices accept. */
const FILTERS = ['as_of', 'period', 'segment', 'sbi_section', 'country', 'size', 'score_band', 'priority', 'group_by', 'account_manager'] as const;
type FilterName = (typeof FILTERS)[number];


let state: ViewState = parseState(location.pathname, location.search);
let meta: Meta;
let cards: Card[] = [];
let generation = 0;

/**
 * The state of a view with changes applied and the filters its page cannot use dropped, so a URL
 * carries only what the page shows (a segment chosen on the CFO page does not ride along, unseen,
 * on Collections).
 */
function nextState(changes: Partial<ViewState>): ViewState {
  const next = withChanges(state, changes);
  if (!meta) return next;
  const accepted = acceptedFilters(next.page);
  for (const f of FILTERS) if (f !== 'period' && !accepted.has(f)) delete (next as unknown as Record<string, unknown>)[f];
  if (next.page !== 'risk') delete next.alert_type;
  return next;
}

function navigate(changes: Partial<ViewState>, opts: { replace?: boolean } = {}): void {
  state = nextState(changes);
  const url = toUrl(state);
  if (opts.replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
}

function applyPrefs(): void {
  document.documentElement.lang = state.lang;
  document.documentElement.dataset.theme = state.theme;
  document.title = `${meta ? pageTitle(env()) : t(state.lang, 'app_title')} · ${t(state.lang, 'app_title')}`;
  document.getElementById('app-title')!.textContent = t(state.lang, 'app_title');
  document.getElementById('skip-link')!.textContent = t(state.lang, 'skip_to_content');
}

function renderNav(): void {
  const nav = document.getElementById('nav')!;
  nav.setAttribute('aria-label', state.lang === 'nl' ? "Pagina's" : 'Pages');
  nav.replaceChildren(
    h(
      'ul',
      {},
      ...PAGE_IDS.map((p) => {
        const href = toUrl(nextState({ page: p }));
        return h(
          'li',
          {},
          h('a', {
            href,
            'aria-current': p === state.page ? 'page' : undefined,
            'data-page': p,
            text: t(state.lang, p === 'customer' ? 'page_customers' : (`page_${p}` as LabelKey)),
            onclick: (e: Event) => {
              e.preventDefault();
              navigate({ page: p, customer_id: undefined });
            },
          }),
        );
      }),
    ),
  );
}

function select(name: string, labelText: string, value: string, options: [string, string][], onChange: (v: string) => void): HTMLElement {
  const id = `f-${name}`;
  const sel = h('select', { id, name, 'data-filter': name, onchange: (e: Event) => onChange((e.target as HTMLSelectElement).value) });
  for (const [v, text] of options) {
    const o = h('option', { value: v, text });
    if (v === value) o.selected = true;
    sel.append(o);
  }
  return h('label', { for: id }, labelText, sel);
}

function renderPrefs(): void {
  const lang = state.lang;
  const langSel = select('lang', t(lang, 'language'), lang, [['en', 'English'], ['nl', 'Nederlands']], (v) => navigate({ lang: v as Lang }, { replace: true }));
  const themeBtn = h('button', {
    type: 'button',
    id: 'theme-toggle',
    'aria-pressed': String(state.theme === 'dark'),
    text: `${t(lang, 'theme')}: ${t(lang, state.theme === 'dark' ? 'theme_dark' : 'theme_light')}`,
    onclick: () => navigate({ theme: state.theme === 'dark' ? 'light' : 'dark' }, { replace: true }),
  });
  document.getElementById('prefs')!.replaceChildren(langSel, themeBtn);
}

function acceptedFilters(page: PageId): Set<string> {
  const names = new Set<string>();
  for (const s of SECTIONS[page]) for (const p of meta.slices[s.slice]?.params ?? []) names.add(p);
  return names;
}

function filterOptions(name: FilterName): [string, string][] {
  const lang = state.lang;
  const all: [string, string] = ['', t(lang, 'all')];
  switch (name) {
    case 'as_of':
      return [['', `${t(lang, 'latest')} (${formatDate(meta.data_as_of, lang)})`], ...[...meta.filters.as_of].reverse().map((d): [string, string] => [d, formatDate(d, lang)])];
    case 'period':
      return PERIOD_IDS.map((p): [string, string] => [p, t(lang, `period_${p}` as LabelKey)]);
    case 'priority':
      return [all, ...(['grow', 'keep', 'watch', 'restrict'] as const).map((p): [string, string] => [p, label(lang, p)])];
    case 'group_by':
      return GROUP_BY_IDS.map((g): [string, string] => [g, t(lang, `f_${g}` as LabelKey)]);
    case 'sbi_section':
      return [all, ...meta.filters.sbi_section.map((v): [string, string] => [v, enumLabel(env().ctx, 'sbi_section', v)])];
    default:
      return [all, ...meta.filters[name].map((v): [string, string] => [v, label(lang, v)])];
  }
}

function renderFilters(): void {
  const form = document.getElementById('filters') as HTMLFormElement;
  form.setAttribute('aria-label', t(state.lang, 'filters'));
  form.onsubmit = (e) => e.preventDefault();
  const accepted = acceptedFilters(state.page);
  const controls = FILTERS.filter((f) => accepted.has(f))
    .filter((f) => f === 'period' || f === 'group_by' || f === 'priority' || f === 'as_of' || meta.filters[f].length > 0)
    .map((f) => {
      const current = (state as unknown as Record<string, string | undefined>)[f] ?? (f === 'group_by' ? 'segment' : '');
      return select(f, t(state.lang, `f_${f}` as LabelKey), current, filterOptions(f), (v) =>
        navigate({ [f]: v === '' ? undefined : v } as Partial<ViewState>),
      );
    });
  form.replaceChildren(...controls);
}

function renderStamp(): void {
  const lang = state.lang;
  const stamp = document.getElementById('stamp')!;
  if (!meta.data_as_of) {
    stamp.textContent = t(lang, 'no_data');
    return;
  }
  stamp.replaceChildren(
    `${t(lang, 'data_as_of')} `,
    h('strong', { 'data-stamp': meta.data_as_of, text: formatDate(meta.data_as_of, lang) }),
    state.as_of && state.as_of !== meta.data_as_of ? ` · ${t(lang, 'f_as_of')}: ${formatDate(state.as_of, lang)}` : '',
  );
}

/**
 * Renders a page at once rather than piece by piece. A page laid out and painted once with its
 * loading states and again as each section's answer arrived re-laid out and re-rastered every card
 * below the one that changed: a cold customer page drew ten frames and rastered its tiles a hundred
 * times. The server starts a page's slices when it sends the page, so their answers arrive close
 * together. The page (header, filters, cards) goes on screen with the first answers, or with its
 * loading states after BATCH_WAIT_MS if none has come; an answer waits for the others at most
 * BATCH_WAIT_MS, and the last one renders every waiting section (the page is complete no later).
 */
const BATCH_WAIT_MS = 100;
function renderBatch(count: number, show: () => void): (render: () => void) => void {
  const waiting: (() => void)[] = [];
  let outstanding = count;
  let shown = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const showOnce = () => {
    if (!shown) (shown = true), show();
  };
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    showOnce();
    for (const r of waiting.splice(0)) r();
  };
  if (count === 0) showOnce();
  else setTimeout(showOnce, BATCH_WAIT_MS);
  return (render) => {
    waiting.push(render);
    if (--outstanding === 0) flush();
    else timer ??= setTimeout(flush, BATCH_WAIT_MS);
  };
}

async function loadSection(card: Card, section: SectionDef, env: PageEnv, gen: number, batch: (render: () => void) => void): Promise<void> {
  // The same query the server started for this view when it served the page (view-state.ts).
  const params = sliceQuery(env.state, section.slice, meta.slices[section.slice]?.params ?? []);
  const res = await fetchSlice(section.slice, params).catch((e: unknown) => e as Error);
  await new Promise<void>((rendered) => batch(() => (showSection(card, section, env, gen, params, res), rendered())));
}

function showSection(card: Card, section: SectionDef, env: PageEnv, gen: number, params: Record<string, string>, res: SliceResponse | Error): void {
  try {
    if (res instanceof Error) throw res;
    if (gen !== generation) return;
    if (res.status === 'unavailable') {
      card.setState('unavailable', t(env.ctx.lang, 'not_available', { mart: res.mart }));
      return;
    }
    if (res.rows.length === 0) card.setState('empty', t(env.ctx.lang, 'empty'));
    else section.render(card, res, env);
    card.setIgnoredFilters(res.ignored_filters.map((f) => t(env.ctx.lang, `f_${f}` as LabelKey)));
    if (meta.slices[section.slice]?.exportable) {
      card.setTruncation(res.rows.length, res.total_rows, { csv: exportUrl(section.slice, params, 'csv'), xlsx: exportUrl(section.slice, params, 'xlsx') });
    }
    card.setNotes(res.note_refs.map((n) => noteText(n, env.ctx.lang)));
  } catch (e) {
    if (gen !== generation) return;
    card.setState('error', t(env.ctx.lang, 'failed', { error: (e as Error).message }));
  }
}

function env(): PageEnv {
  return {
    state,
    meta,
    ctx: { lang: state.lang, currency: meta.currency, narrow: window.matchMedia('(max-width: 600px)').matches },
    navigate: (c) => navigate(c),
    href: (c) => toUrl(nextState(c)),
  };
}

function pageTitle(e: PageEnv): string {
  if (state.page === 'customer') return state.customer_id ? t(state.lang, 'page_customer', { customer: state.customer_id }) : t(state.lang, 'page_customers');
  return t(state.lang, `page_${state.page}` as LabelKey);
}

/** Content above a page's cards (the customer search). */
const PAGE_HEADERS: Partial<Record<PageId, (e: PageEnv) => HTMLElement[]>> = {
  customer: (e) => [customerSearch(e)],
  worklist: (e) => [worklistRule(e)],
};

function render(): void {
  generation++;
  const gen = generation;
  for (const c of cards) c.dispose();
  const pageEnv = env();
  const sections = SECTIONS[state.page].filter((s) => !s.when || s.when(pageEnv));
  cards = sections.map((s) => {
    const title = typeof s.title === 'function' ? s.title(pageEnv) : t(state.lang, s.title);
    const card = new Card(s.id, title, { lang: state.lang, currency: meta.currency, theme: state.theme, asOf: state.as_of ?? meta.data_as_of }, { wide: s.wide, tall: s.tall });
    if (s.controls) card.setControls(...s.controls(pageEnv));
    return card;
  });
  const main = document.getElementById('content')!;
  // The previous view stays on screen until this one is shown, but it is no longer the loaded one.
  delete main.dataset.loaded;
  const shown = cards;
  const show = () => {
    // A later view (a filter changed meanwhile) has replaced this one: it shows its own.
    if (gen !== generation) return;
    applyPrefs();
    renderNav();
    renderPrefs();
    renderFilters();
    renderStamp();
    main.replaceChildren(
      h('h1', { text: pageTitle(pageEnv) }),
      ...(PAGE_HEADERS[state.page]?.(pageEnv) ?? []),
      h('div', { class: 'grid' }, ...shown.map((c) => c.root)),
    );
    main.dataset.page = state.page;
  };
  // Every card's slice is requested at once: the page is as fast as its slowest slice.
  const batch = renderBatch(sections.length, show);
  const loads = sections.map((s, i) => loadSection(cards[i]!, s, pageEnv, gen, batch));
  void Promise.all(loads).then(() => {
    if (gen === generation) main.dataset.loaded = String(gen);
  });
}

async function start(): Promise<void> {
  applyPrefs();
  try {
    meta = await fetchMeta();
  } catch (e) {
    document.getElementById('content')!.replaceChildren(h('p', { class: 'state error', role: 'alert', text: t(state.lang, 'failed', { error: (e as Error).message }) }));
    return;
  }
  // Canonical URL: a shared link and the address bar agree.
  history.replaceState(null, '', toUrl(state));
  window.addEventListener('popstate', () => {
    state = parseState(location.pathname, location.search);
    render();
  });
  render();
  // Evaluated now, while the page's data is on its way, not when the first chart asks for it (pages
  // drawn without it leave it alone: compiling it would hold up their own rendering).
  if (!PAGES_WITHOUT_CHART_LIBRARY.includes(state.page)) void loadChartLibrary().catch(() => undefined);
}

void start();
