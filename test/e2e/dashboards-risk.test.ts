import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, useDashboards } from '../support/dashboards-browser.js';
import { parseConfig } from '../../src/config/config.js';
import { settingsFromConfig } from '../../src/serve/settings.js';
import { startServer, type RunningServer } from '../../src/serve/server.js';

type Cells = Record<string, string | number | boolean | null>;
declare const document: { querySelector(s: string): unknown };
interface SvgEl { textContent: string | null; getAttribute(n: string): string | null; getBBox(): { x: number; y: number; width: number; height: number }; getCTM(): { e: number; f: number } | null; closest(s: string): unknown }

const svgTexts = (page: Page, card: string) => page.$$eval(`[data-card="${card}"] svg text`, (ts) => ts.map((t) => t.textContent ?? ''));

/**
 * The marks drawn beside a legend entry: ECharts draws each legend item's icon and text under one
 * transform, so the paths sharing the text's transform are its icon.
 */
function legendIcon(page: Page, card: string, name: string) {
  return page.$$eval(`[data-card="${card}"] svg`, (svgs, name) => {
    const svg = svgs[0]!;
    const text = [...svg.querySelectorAll('text')].find((t) => t.textContent === name);
    if (!text) return null;
    const tr = text.getAttribute('transform');
    return [...svg.querySelectorAll('path')].filter((p) => p.getAttribute('transform') === tr).map((p) => ({
      d: p.getAttribute('d') ?? '',
      stroke: p.getAttribute('stroke'),
      strokeOpacity: p.getAttribute('stroke-opacity'),
      fill: p.getAttribute('fill'),
    }));
  }, name);
}

/** The dashboards in Debian's chromium on a generated and built lake: risk page: alerts. */
describe.skipIf(!hasChromium)('dashboards in chromium: risk', () => {
  const d = useDashboards();

  it('risk alerts: most severe first, counts per type, a type filter', async () => {
    const page = await d.open('/risk');
    const reasons = await page.$$eval('[data-card="risk_alerts"] tbody td[data-key="reason"]', (tds) => tds.map((td) => td.getAttribute('data-value')));
    expect(reasons.length).toBeGreaterThan(0);
    const chips = await page.$$eval('[data-card="risk_alerts"] .toggle button', (bs) => bs.map((b) => [b.getAttribute('data-value'), b.textContent]));
    expect(chips.length).toBe(6);
    const res = await (await fetch(`${d.server.url}api/slices/risk_alerts?limit=1000`)).json() as { rows: { reason: string; severity: number; exposure: string | null }[]; meta: { counts: Record<string, number> } };
    const sev = res.rows.map((r) => r.severity);
    expect(sev).toEqual([...sev].sort((a, b) => a - b));
    // Within a severity, the largest exposure first (none last).
    for (let i = 1; i < res.rows.length; i++) {
      const [a, b] = [res.rows[i - 1]!, res.rows[i]!];
      if (a.severity !== b.severity) continue;
      if (a.exposure === null) expect(b.exposure, 'no exposure sorts last').toBeNull();
      else if (b.exposure !== null) expect(Number(a.exposure)).toBeGreaterThanOrEqual(Number(b.exposure));
    }
    expect(new Set(res.rows.map((r) => r.severity)).size, 'alerts of more than one severity').toBeGreaterThan(1);
    const total = Object.values(res.meta.counts).reduce((a, b) => a + b, 0);
    expect(total).toBe(res.rows.length);
    const present = Object.entries(res.meta.counts).filter(([, n]) => n > 0).map(([k]) => k);
    const pick = present[present.length - 1]!;
    await page.click(`[data-card="risk_alerts"] .toggle button[data-value="${pick}"]`);
    await d.settled(page);
    expect(new URL(page.url()).searchParams.get('alert_type')).toBe(pick);
    const filtered = await page.$$eval('[data-card="risk_alerts"] tbody tr', (trs) => trs.length);
    expect(filtered).toBe(Math.min(50, res.meta.counts[pick]!));
    // The type filter is the risk page's own: leaving the page drops it from the URL.
    await page.click('nav a[data-page="cfo"]');
    await d.settled(page);
    expect(new URL(page.url()).searchParams.get('alert_type')).toBeNull();
    await page.close();
  });

  it('risk alerts in Dutch: what changed is worded from typed columns, not the English detail line', async () => {
    const res = await (await fetch(`${d.server.url}api/slices/risk_alerts?limit=1000`)).json() as { rows: Record<string, string | number | null>[] };
    const drop = res.rows.find((r) => r.reason === 'score_drop' || r.reason === 'band_worsened');
    expect(drop, 'the demo ledger has a score drop or a worse band').toBeTruthy();
    expect(typeof drop!.value_before).toBe('number');
    expect(typeof drop!.value_after).toBe('number');
    const over = res.rows.find((r) => r.reason === 'over_limit');
    if (over) expect(over.alert_open_ar).toMatch(/^\d+\.\d{2}$/);
    const page = await d.open('/risk?lang=nl');
    const details = await page.$$eval('[data-card="risk_alerts"] tbody td[data-key="detail"]', (tds) => tds.map((td) => td.textContent ?? ''));
    expect(details.length).toBeGreaterThan(0);
    for (const text of details) {
      expect(text).not.toMatch(/open AR|common band|score \d+ ->|per 1,000|bankruptcy|limit \d/);
      expect(text).toMatch(/→|boven limiet|faillissement|surseance|schuldsanering|ontbinding|branche/);
    }
    // The English page words the same alerts in English.
    const en = await d.open('/risk');
    const enDetails = await en.$$eval('[data-card="risk_alerts"] tbody td[data-key="detail"]', (tds) => tds.map((td) => td.textContent ?? ''));
    expect(enDetails.some((t) => /score|risk band|open AR|bankruptcy|industry/.test(t))).toBe(true);
    await en.close();
    await page.close();
    expect(d.problems).toEqual([]);
  });

  describe('risk charts that do not mislead', () => {
    // A second server on the same lake whose config ranks industries from 5 monitored companies:
    // the small test lake has no section of 100.
    let small: RunningServer;
    let asOf: string;
    let ranked: Cells[];
    beforeAll(async () => {
      small = await startServer({ lakeRoot: d.lake, port: 0, prewarm: false, settings: settingsFromConfig(parseConfig({ dashboards: { min_industry_sample: 5 } })) });
      const meta = await (await fetch(`${small.url}api/meta`)).json() as { filters: { as_of: string[] } };
      // The latest month end whose last complete quarter has a section with a rising rate.
      for (const a of [...meta.filters.as_of].reverse()) {
        const res = await (await fetch(`${small.url}api/slices/rising_industries?as_of=${a}`)).json() as { rows: Cells[] };
        if (res.rows.length) {
          asOf = a;
          ranked = res.rows;
          break;
        }
      }
    });
    afterAll(async () => small?.close());
    const openOn = async (server: RunningServer, path: string) => {
      const page = await d.browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(new URL(path, server.url).href);
      await d.settled(page);
      return page;
    };

    it('rising industries: below the minimum sample nothing is ranked and the card says how many were left out', async () => {
      expect(asOf, 'the test lake has a quarter with a rising section').toBeTruthy();
      const page = await d.open(`/marketing?as_of=${asOf}`);
      expect(await page.getAttribute('[data-card="rising_industries"]', 'data-state')).toBe('empty');
      const note = await page.textContent('[data-card="rising_industries"] .notes');
      expect(note).toMatch(/at least 100 monitored companies/);
      const left = /(\d+) rising sections? with fewer than 100 monitored companies (?:are|is) not ranked/.exec(note ?? '');
      expect(Number(left?.[1])).toBeGreaterThanOrEqual(ranked.length);
      await page.close();
    });

    it('rising industries: each ranked rate with its 95 % interval, sections named in the reader\'s language, CBS drawn as its legend shows', async () => {
      const top = ranked[0]!;
      const section = String(top.sbi_section);
      const en = await openOn(small, `/marketing?as_of=${asOf}`);
      const card = '[data-card="rising_industries"]';
      expect(await en.textContent(`${card} .notes`)).toMatch(/at least 5 monitored companies; bars show the 95 % interval/);
      const texts = await svgTexts(en, 'rising_industries');
      const enName = texts.find((t) => t.startsWith(`${section} `))!;
      expect(enName).toBeTruthy();
      expect(texts).toEqual(expect.arrayContaining(['95 % interval', 'National rate (CBS)']));
      // The interval: low and high bound the rate, and the summary reads them out.
      expect(Number(top.rate_low_per_1000)).toBeLessThan(Number(top.rate_per_1000));
      expect(Number(top.rate_high_per_1000)).toBeGreaterThan(Number(top.rate_per_1000));
      const fmt = (v: unknown) => Number(v).toFixed(1);
      expect(await en.getAttribute(`${card} .chart`, 'aria-label')).toContain(`${enName} ${fmt(top.rate_per_1000)} (${fmt(top.rate_low_per_1000)}–${fmt(top.rate_high_per_1000)})`);
      await en.click(`${card} [data-action="table"]`);
      const keys = await en.$$eval(`${card} thead th`, (ths) => ths.map((th) => th.getAttribute('data-key')));
      expect(keys).toEqual(expect.arrayContaining(['monitored', 'bankruptcies', 'rate_low_per_1000', 'rate_high_per_1000', 'national_rate_per_1000']));
      // The CBS rate is drawn as markers and its legend icon is that marker (a filled square), not an invisible line.
      const icon = (await legendIcon(en, 'rising_industries', 'National rate (CBS)'))!;
      expect(icon.some((p) => /^M[\d.]+ [\d.]+l[\d.]+ 0l0 [\d.]+l-[\d.]+ 0Z$/.test(p.d) && p.fill !== 'none' && !p.fill?.startsWith('url'))).toBe(true);
      const nl = await openOn(small, `/marketing?as_of=${asOf}&lang=nl`);
      const nlTexts = await svgTexts(nl, 'rising_industries');
      const nlName = nlTexts.find((t) => t.startsWith(`${section} `))!;
      expect(nlName).toBeTruthy();
      expect(nlName).not.toBe(enName);
      expect(nlTexts).toEqual(expect.arrayContaining(['95%-interval', 'Landelijk (CBS)']));
      expect(nlTexts.join('|')).not.toContain(enName.slice(2));
      await nl.close();
      await en.close();
    });

    it('vs national: our bars and the CBS line are named for what they are, the line is in the legend, a partial quarter is marked', async () => {
      const api = await (await fetch(`${d.server.url}api/slices/bankruptcy_vs_national`)).json() as { rows: Cells[] };
      const partial = api.rows.filter((r) => r.period_complete === false);
      expect(partial.length, 'the test lake ends inside a quarter').toBe(1);
      const page = await d.open('/risk');
      for (const card of ['bankruptcy_vs_national', 'bankruptcy_heatmap']) {
        const texts = await svgTexts(page, card);
        const quarters = texts.filter((t) => /^Q[1-4] \d{4}\*?$/.test(t));
        expect(quarters.filter((q) => q.endsWith('*'))).toHaveLength(1);
        expect(quarters.at(-1)!.endsWith('*')).toBe(true);
        expect(await page.textContent(`[data-card="${card}"] .notes`)).toContain('* quarter not complete');
      }
      const texts = await svgTexts(page, 'bankruptcy_vs_national');
      expect(texts).toEqual(expect.arrayContaining(['Our monitored companies, per 1,000', 'National rate (CBS)']));
      expect(texts).not.toContain('Monitored companies');
      const icon = (await legendIcon(page, 'bankruptcy_vs_national', 'National rate (CBS)'))!;
      const line = icon.find((p) => /^M0 7L25 7$/.test(p.d));
      expect(line?.stroke).toBeTruthy();
      expect(line?.stroke).not.toBe('none');
      expect(line?.strokeOpacity ?? '1').not.toBe('0');
      const nl = await d.open('/risk?lang=nl');
      expect(await svgTexts(nl, 'bankruptcy_vs_national')).toEqual(expect.arrayContaining(['Onze gevolgde bedrijven, per 1.000', 'Landelijk (CBS)']));
      await nl.close();
      await page.close();
    });

    it('heat map: the colour scale spans every rate, so 12.0 and 58.8 get clearly different colours', async () => {
      const page = await d.browser.newPage({ viewport: { width: 1280, height: 900 } });
      // Two cells set to the rates of the report, beside the lake's own (the scale's top is the largest).
      await page.route('**/api/slices/bankruptcy_heatmap*', async (route) => {
        const res = await route.fetch();
        const body = await res.json() as { rows: Cells[] };
        body.rows[0]!.rate_per_1000 = 12;
        body.rows[1]!.rate_per_1000 = 58.8;
        await route.fulfill({ response: res, json: body });
      });
      await page.goto(new URL('/risk', d.server.url).href);
      await d.settled(page);
      const fills = await page.$$eval('[data-card="bankruptcy_heatmap"] svg', (svgs) => {
        const svg = svgs[0] as unknown as { querySelectorAll(s: string): Iterable<SvgEl> };
        const center = (e: SvgEl) => {
          const b = e.getBBox();
          const m = e.getCTM();
          return { x: b.x + b.width / 2 + (m?.e ?? 0), y: b.y + b.height / 2 + (m?.f ?? 0) };
        };
        const cells = [...svg.querySelectorAll('path')].map((p) => {
          const b = p.getBBox();
          const m = p.getCTM();
          return { fill: p.getAttribute('fill') ?? '', x: b.x + (m?.e ?? 0), y: b.y + (m?.f ?? 0), w: b.width, h: b.height };
        }).filter((c) => /^(#|rgb)/.test(c.fill) && c.w > 4 && c.h > 4);
        const fillOf = (label: string) => {
          const t = [...svg.querySelectorAll('text')].find((x) => x.textContent === label);
          if (!t) return null;
          const { x, y } = center(t);
          const under = cells.filter((c) => x >= c.x && x <= c.x + c.w && y >= c.y && y <= c.y + c.h).sort((a, b) => a.w * a.h - b.w * b.h);
          return under[0]?.fill ?? null;
        };
        return { low: fillOf('12.0'), high: fillOf('58.8') };
      });
      const rgb = (c: string) => {
        const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(c);
        if (m) return [1, 2, 3].map((i) => parseInt(m[i]!, 16));
        return c.match(/\d+(\.\d+)?/g)!.slice(0, 3).map(Number);
      };
      expect(fills.low).toBeTruthy();
      expect(fills.high).toBeTruthy();
      const [a, b] = [rgb(fills.low!), rgb(fills.high!)];
      const distance = Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);
      expect(distance).toBeGreaterThan(60);
      // Light theme: a higher rate is darker.
      const lum = (c: number[]) => 0.2126 * c[0]! + 0.7152 * c[1]! + 0.0722 * c[2]!;
      expect(lum(b)).toBeLessThan(lum(a));
      await page.close();
    });
  });
});
