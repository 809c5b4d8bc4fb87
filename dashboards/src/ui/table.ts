import type { DataRow, TableData } from '../charts/common.js';
import { sortRows } from '../charts/tables.js';
import { formatNumber, formatValue, localeOf, type Lang } from '../format.js';
import { t } from '../i18n.js';
import { h } from './dom.js';

/**
 * Rows a table lays out at once. A 500-row list is 6,000 cells to build, style and lay out on every
 * load, though the card shows a dozen rows at a time: longer tables page, with every row a click
 * away ("show all") and in the CSV and Excel downloads, which always hold every row.
 */
export const TABLE_PAGE_ROWS = 100;

const NUMERIC = new Set(['money', 'number', 'int', 'pct', 'ratio', 'days', 'signed']);

export interface TableOptions {
  lang: Lang;
  currency: string;
  sortable?: boolean;
  caption?: string;
  /** Makes the cells of one column buttons (drill-down). */
  action?: { column: string; label: (row: DataRow) => string; run: (row: DataRow) => void };
  /** Makes the cells of one column links (to a customer page): a click stays in the app, a new tab works too. */
  link?: { column: string; href: (row: DataRow) => string | null; run: (row: DataRow) => void };
  /** Rows per page (default TABLE_PAGE_ROWS). */
  pageRows?: number;
}

/**
 * A data table: formatted text for people, the exact value in `data-value` (what the CSV holds).
 * Sortable headers are buttons and announce their order with aria-sort.
 */
export function renderTable(table: TableData, opts: TableOptions): { el: HTMLElement; shown: () => TableData } {
  let rows = table.rows;
  let sortKey: string | null = null;
  let sortDir: 'asc' | 'desc' = 'desc';
  const pageRows = opts.pageRows ?? TABLE_PAGE_ROWS;
  let first = 0;
  let all = false;
  const tbody = h('tbody');
  const pager = h('nav', { class: 'pager', 'aria-label': opts.caption ?? 'table' });
  const headCells = table.columns.map((c) => {
    const th = h('th', { scope: 'col', class: NUMERIC.has(c.kind) ? 'num' : undefined, 'data-key': c.key });
    if (opts.sortable) {
      th.setAttribute('aria-sort', 'none');
      th.append(
        h('button', {
          type: 'button',
          text: c.label,
          onclick: () => {
            sortDir = sortKey === c.key && sortDir === 'desc' ? 'asc' : 'desc';
            sortKey = c.key;
            rows = sortRows(table.rows, c.key, sortDir, localeOf(opts.lang));
            for (const other of headCells) other.setAttribute('aria-sort', other === th ? (sortDir === 'asc' ? 'ascending' : 'descending') : 'none');
            first = 0;
            fill();
          },
        }),
      );
    } else th.textContent = c.label;
    return th;
  });
  const fill = () => {
    const visible = all || rows.length <= pageRows ? rows : rows.slice(first, first + pageRows);
    paging(visible.length);
    tbody.replaceChildren(
      ...visible.map((r) =>
        h(
          'tr',
          {},
          ...table.columns.map((c) => {
            const v = r[c.key] ?? null;
            const text = formatValue(v, c.kind, opts.lang, opts.currency);
            const td = h('td', { class: NUMERIC.has(c.kind) ? 'num' : undefined, 'data-key': c.key, 'data-value': v === null ? '' : String(v) });
            const href = opts.link && opts.link.column === c.key ? opts.link.href(r) : null;
            if (href) {
              td.append(
                h('a', {
                  href,
                  class: 'link',
                  text,
                  onclick: (e: Event) => {
                    const m = e as MouseEvent;
                    if (m.ctrlKey || m.metaKey || m.shiftKey || m.button !== 0) return;
                    e.preventDefault();
                    opts.link!.run(r);
                  },
                }),
              );
            } else if (opts.action && opts.action.column === c.key) {
              td.append(h('button', { type: 'button', class: 'link', 'aria-label': opts.action.label(r), text, onclick: () => opts.action!.run(r) }));
            } else td.textContent = text;
            return td;
          }),
        ),
      ),
    );
  };
  const paging = (shown: number) => {
    pager.hidden = all || rows.length <= pageRows;
    if (pager.hidden) return pager.replaceChildren();
    const n = (v: number) => formatNumber(v, opts.lang);
    const go = (to: number) => () => {
      first = Math.max(0, Math.min(to, rows.length - 1));
      fill();
      wrap.scrollTop = 0;
    };
    pager.replaceChildren(
      h('span', { class: 'range', text: t(opts.lang, 'rows_range', { from: n(first + 1), to: n(first + shown), total: n(rows.length) }) }),
      h('button', { type: 'button', 'data-action': 'prev-page', text: t(opts.lang, 'prev_page'), disabled: first === 0, onclick: go(first - pageRows) }),
      h('button', { type: 'button', 'data-action': 'next-page', text: t(opts.lang, 'next_page'), disabled: first + pageRows >= rows.length, onclick: go(first + pageRows) }),
      h('button', {
        type: 'button',
        'data-action': 'all-rows',
        text: t(opts.lang, 'show_all_rows', { total: n(rows.length) }),
        onclick: () => {
          all = true;
          fill();
        },
      }),
    );
  };
  const wrap = h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': opts.caption ?? 'table' },
    h('table', {}, opts.caption ? h('caption', { class: 'sr-only', text: opts.caption }) : null, h('thead', {}, h('tr', {}, ...headCells)), tbody),
  );
  fill();
  const el = h('div', { class: 'table-block' }, wrap, pager);
  // The CSV follows what is on screen, in the order it is shown.
  return { el, shown: () => ({ columns: table.columns, rows }) };
}
