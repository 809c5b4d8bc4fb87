import type { DataRow, TableData } from '../charts/common.js';
import { sortRows } from '../charts/tables.js';
import { formatValue, localeOf, type Lang } from '../format.js';
import { h } from './dom.js';

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
}

/**
 * A data table: formatted text for people, the exact value in `data-value` (what the CSV holds).
 * Sortable headers are buttons and announce their order with aria-sort.
 */
export function renderTable(table: TableData, opts: TableOptions): { el: HTMLElement; shown: () => TableData } {
  let rows = table.rows;
  let sortKey: string | null = null;
  let sortDir: 'asc' | 'desc' = 'desc';
  const tbody = h('tbody');
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
            fill();
          },
        }),
      );
    } else th.textContent = c.label;
    return th;
  });
  const fill = () => {
    tbody.replaceChildren(
      ...rows.map((r) =>
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
  fill();
  const el = h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-label': opts.caption ?? 'table' },
    h('table', {}, opts.caption ? h('caption', { class: 'sr-only', text: opts.caption }) : null, h('thead', {}, h('tr', {}, ...headCells)), tbody),
  );
  // The CSV follows what is on screen, in the order it is shown.
  return { el, shown: () => ({ columns: table.columns, rows }) };
}
