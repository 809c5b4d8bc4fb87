import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { CHROMIUM, hasChromium } from '../support/dashboards-browser.js';

/*
 * dashboards/src/format.ts writes en-GB and nl-NL numbers, euros, percentages and dates by hand
 * (building the first Intl formatter costs a cold page 20-40 ms of its main thread). Intl stays the
 * reference: every function is compared with the Intl call it replaces, over thousands of values
 * (rounding ties, doubles whose shortest form ends in 5, compact units at their boundaries,
 * negatives rounding to zero, negative zero, days that do not exist), in Chromium, where the pages run, and in Node.
 */

/** The sweep, as one script: defines `sweep(fmt)` → the mismatches. Plain JS, so it runs unchanged in the page. */
const SWEEP = String.raw`
function sweep(fmt, skip) {
  const LOC = { en: 'en-GB', nl: 'nl-NL' };
  const nf = (lang, o) => new Intl.NumberFormat(LOC[lang], o);
  const ref = {
    money: (v, l) => nf(l, { style: 'currency', currency: 'EUR', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v),
    compact: (v, l) => nf(l, { style: 'currency', currency: 'EUR', notation: 'compact', maximumFractionDigits: 1 }).format(v),
    num0: (v, l) => nf(l, { minimumFractionDigits: 0, maximumFractionDigits: 0 }).format(v),
    num1: (v, l) => nf(l, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v),
    num2: (v, l) => nf(l, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v),
    pct: (v, l) => nf(l, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(Number(v) / 100),
    ratio: (v, l) => nf(l, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(v),
    days: (v, l) => nf(l, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(v) + (l === 'nl' ? ' dagen' : ' days'),
    signed: (v, l) => nf(l, { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(v),
  };
  const mine = {
    money: (v, l) => fmt.formatMoney(v, l),
    compact: (v, l) => fmt.formatMoneyCompact(v, l),
    num0: (v, l) => fmt.formatNumber(v, l, 0),
    num1: (v, l) => fmt.formatNumber(v, l, 1),
    num2: (v, l) => fmt.formatNumber(v, l, 2),
    pct: (v, l) => fmt.formatPct(v, l, 1),
    ratio: (v, l) => fmt.formatRatio(v, l, 2),
    days: (v, l) => fmt.formatDays(v, l, 1),
    signed: (v, l) => fmt.formatSigned(v, l, 1),
  };
  // Deterministic values: decimal strings and doubles of every magnitude, ties, unit boundaries.
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const values = ['0', '0.00', '-0.00', '0.005', '-0.005', '0.04', '-0.04', '0.05', '-0.05', '1.005', '2.675', '999.95', '999.949', '9999.95',
    '99949.99', '99950', '999949', '999950', '999999.99', '1000000', '999949999', '999950000', '999950000000', '1234567890123.45', '-1234567.89',
    '9007199254740993.01', '100', '-100', '12.345', '0.125', '-0.125', 0, -0, 0.5, -0.5, 1.5, 2.5, -2.5, 0.045, 1.005, 2.675, 1.45, -1.45,
    44.391, 13.073530980253707, 0.1 + 0.2, 999.95, 9999.95, 99950, 999950, 1234567, -1234567, 1e-7, 1e21, 123456789012345680000];
  for (let i = 0; i < 1500; i++) {
    const mag = Math.floor(rnd() * 16) - 3;
    const x = (rnd() - 0.3) * Math.pow(10, mag);
    values.push(x, x.toFixed(Math.floor(rnd() * 4)), (Math.round(x * 1000) / 1000).toFixed(3).replace(/(\d)$/, '5'));
  }
  const bad = [];
  for (const lang of ['en', 'nl']) {
    for (const v of values) {
      for (const k of Object.keys(ref).filter((k) => !(skip || []).includes(k))) {
        let want;
        try { want = ref[k](v, lang); } catch (e) { continue; }
        const got = mine[k](v, lang);
        if (got !== want) bad.push(k + ' ' + lang + ' ' + JSON.stringify(v) + ': ' + JSON.stringify(got) + ' != ' + JSON.stringify(want));
      }
    }
    // Every day of 1999-2031 and days that do not exist, as dates and as months.
    const dfd = new Intl.DateTimeFormat(LOC[lang], { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });
    const dfm = new Intl.DateTimeFormat(LOC[lang], { month: 'short', year: 'numeric', timeZone: 'UTC' });
    const days = ['2024-02-30', '2023-02-29', '2024-13-01', '2024-04-31', '0999-12-31', '10000-01-01'];
    for (let t = Date.UTC(1999, 0, 1); t <= Date.UTC(2031, 11, 31); t += 86400000) days.push(new Date(t).toISOString().slice(0, 10));
    for (const iso of days) {
      const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
      const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
      const wantD = d && !Number.isNaN(d.getTime()) ? dfd.format(d) : '–';
      const wantM = d && !Number.isNaN(d.getTime()) ? dfm.format(d) : '–';
      if (fmt.formatDate(iso, lang) !== wantD) bad.push('date ' + lang + ' ' + iso + ': ' + fmt.formatDate(iso, lang) + ' != ' + wantD);
      if (fmt.formatMonth(iso, lang) !== wantM) bad.push('month ' + lang + ' ' + iso + ': ' + fmt.formatMonth(iso, lang) + ' != ' + wantM);
    }
  }
  return { checked: values.length, bad: bad.slice(0, 40), mismatches: bad.length };
}`;

let bundle = '';
beforeAll(async () => {
  const out = await build({ entryPoints: ['dashboards/src/format.ts'], bundle: true, write: false, format: 'iife', globalName: 'fmt', target: 'es2022', logLevel: 'silent' });
  bundle = out.outputFiles[0]!.text;
});

describe('dashboard formats written by hand = Intl', () => {
  // Node's ICU (78) writes compact amounts with a decimal Chromium's leaves out (`€1.0k` for `€1k`):
  // the pages run in Chromium, so compact is compared there only.
  it('in Node (compact amounts apart)', () => {
    const fmt = new Function(`${bundle}; return fmt;`)() as unknown;
    const result = new Function('fmt', `${SWEEP}; return sweep(fmt, ['compact']);`)(fmt) as { checked: number; bad: string[]; mismatches: number };
    expect(result.checked).toBeGreaterThan(4000);
    expect(result.bad).toEqual([]);
  });

  describe.skipIf(!hasChromium)('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
    }, 120_000);
    afterAll(async () => browser?.close());

    it('every value, both languages', async () => {
      const page = await browser.newPage();
      // about:blank has no content security policy: the module and the sweep go in as scripts.
      await page.addScriptTag({ content: bundle });
      await page.addScriptTag({ content: SWEEP });
      const result = (await page.evaluate('sweep(fmt)')) as { checked: number; bad: string[]; mismatches: number };
      expect(result.checked).toBeGreaterThan(4000);
      expect(result.bad).toEqual([]);
      await page.close();
    }, 120_000);
  });
});
