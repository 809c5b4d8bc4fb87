import { describe, expect, it } from 'vitest';
import { viewRequests } from '../../src/serve/api.js';
import { pageWithDataPreloads } from '../../src/serve/server.js';
import { sliceByName } from '../../src/serve/slices/index.js';
import { parseState, sliceQuery, sliceUrl, type PageId } from '../../src/serve/view-state.js';
import type { SliceName } from '../../src/serve/contract.js';
import type { ViewState } from '../../src/serve/view-state.js';

/** What this test reads of a page's sections (dashboards/src/pages, typed for the DOM: imported untyped). */
interface Section {
  slice: SliceName;
  when?: (env: { state: ViewState }) => boolean;
}
const pageModule = async (file: string, name: string) => ((await import(`../../dashboards/src/pages/${file}.ts`)) as Record<string, Section[]>)[name]!;
const SECTIONS: Record<PageId, Section[]> = {
  cfo: await pageModule('cfo', 'cfoSections'),
  marketing: await pageModule('marketing', 'marketingSections'),
  risk: await pageModule('risk', 'riskSections'),
  collections: await pageModule('collections', 'collectionsSections'),
  customer: await pageModule('customer', 'customerSections'),
  worklist: await pageModule('worklist', 'worklistSections'),
};

/** The requests the page's script sends for a URL (main.ts: each shown section's slice with sliceQuery). */
function browserRequests(path: string, search: string): string[] {
  const state = parseState(path, search);
  const env = { state };
  const shown = SECTIONS[state.page].filter((s) => !s.when || s.when(env));
  return [...new Set(shown.map((s) => `${s.slice}?${new URLSearchParams(sliceQuery(state, s.slice, sliceByName(s.slice)!.paramNames))}`))].sort();
}

function serverRequests(path: string, search: string): string[] {
  return viewRequests(path, search).map((r) => `${r.slice}?${new URLSearchParams(r.query)}`).sort();
}

describe('the slices the server starts for a page are the requests the page sends', () => {
  const views: [string, string][] = [
    ['/', ''], ['/cfo', '?segment=enterprise&country=BE&lang=nl&period=24m'], ['/marketing', '?priority=grow&score_band=low'],
    ['/risk', '?alert_type=over_limit&as_of=2025-06-30'], ['/collections', '?group_by=country&size=small'],
    ['/worklist', '?account_manager=J.%20de%20Vries'], ['/customers/C000003', ''], ['/customers/C%2F17', '?as_of=2025-01-31&lang=nl'],
    ['/customers', ''],
  ];
  for (const [path, search] of views) {
    it(`${path}${search}`, () => {
      const server = serverRequests(path, search);
      expect(server).toEqual(browserRequests(path, search));
      if (path !== '/customers') expect(server.length).toBeGreaterThan(0);
    });
  }

  it('a customer page starts its six slices with the page limits, keyed by the customer', () => {
    expect(serverRequests('/customers/C000003', '')).toEqual([
      'customer_actions?customer_id=C000003&limit=50',
      'customer_history?customer_id=C000003',
      'customer_open_items?customer_id=C000003&limit=500',
      'customer_payments?customer_id=C000003&limit=50',
      'customer_profile?customer_id=C000003',
      'customer_scores?customer_id=C000003',
    ]);
    // The search page has no customer: nothing to start; a malformed id starts nothing either.
    expect(serverRequests('/customers', '')).toEqual([]);
    expect(serverRequests('/customers/%3Cscript%3E', '')).toEqual([]);
  });
});

describe('the page names its data requests in preload hints', () => {
  const html = '<!doctype html><html><head><title>x</title>\n</head><body></body></html>';
  const hrefs = (page: string) => [...page.matchAll(/<link rel="preload" href="([^"]*)" as="fetch" crossorigin>/g)].map((m) => m[1]!.replace(/&#38;/g, '&'));

  it('one hint per request, the URL the page builds, attribute-escaped, inside the head', () => {
    const page = pageWithDataPreloads(html, '/worklist', '?account_manager=A%26B%20Team&lang=nl');
    expect(page.indexOf('<link rel="preload"')).toBeLessThan(page.indexOf('</head>'));
    expect(page).not.toMatch(/href="[^"]*&(?!#38;)/);
    expect(hrefs(page)).toEqual(viewRequests('/worklist', '?account_manager=A%26B%20Team&lang=nl').map((r) => sliceUrl(r.slice, r.query)));
    expect(hrefs(page)).toEqual(['/api/slices/worklist?account_manager=A%26B+Team&limit=100']);
  });

  it('the chart library is preloaded by the pages that draw with it, not by the customer page or the worklist', () => {
    const withLibrary =
      '<!doctype html><html><head>\n  <link rel="modulepreload" href="/assets/chunk-A.js">\n  <link rel="modulepreload" href="/assets/chunk-LIB.js" data-chart-library>\n</head><body></body></html>';
    for (const path of ['/cfo', '/marketing', '/risk', '/collections']) expect(pageWithDataPreloads(withLibrary, path, ''), path).toContain('chunk-LIB.js');
    for (const path of ['/customers/C000003', '/customers', '/worklist']) {
      const page = pageWithDataPreloads(withLibrary, path, '');
      expect(page, path).not.toContain('chunk-LIB.js');
      expect(page, path).toContain('<link rel="modulepreload" href="/assets/chunk-A.js">');
    }
  });

  it('a view without requests (the search page, a malformed customer id) gets none', () => {
    expect(pageWithDataPreloads(html, '/customers', '')).toBe(html);
    expect(pageWithDataPreloads(html, '/customers/%3Cscript%3E', '')).toBe(html);
  });
});
