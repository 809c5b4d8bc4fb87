import { describe, expect, it } from 'vitest';
import { bankruptcyHeatmap } from '../../dashboards/src/charts/heatmap.js';
import { quadrantChart } from '../../dashboards/src/charts/quadrant.js';
import { rollforwardChart } from '../../dashboards/src/charts/rollforward.js';
import { escapeHtml } from '../../dashboards/src/charts/common.js';
import { BadRequest, flattenQuery, type RawQuery } from '../../src/serve/params.js';
import { allowedHost } from '../../src/serve/server.js';

const HOSTILE = '<img src=x onerror=alert(1)><b style="color:red">PAY TO NL00HACK</b>';
const ctx = { lang: 'en' as const, currency: 'EUR' };

function nullProto(entries: [string, string][]): RawQuery {
  const q = Object.create(null) as RawQuery;
  for (const [k, v] of entries) q[k] = v;
  return q;
}

describe('serve: Host allow-list (DNS rebinding)', () => {
  it('answers 127.0.0.1, localhost and [::1] with its own port only', () => {
    for (const h of ['127.0.0.1:4321', 'localhost:4321', 'LOCALHOST:4321', '[::1]:4321']) expect(allowedHost(h, 4321), h).toBe(true);
    for (const h of [undefined, '', 'rebind.attacker.example:4321', '127.0.0.1:4322', '127.0.0.1', 'localhost', '127.0.0.1.nip.io:4321', 'localhost.attacker.example:4321', '0.0.0.0:4321']) {
      expect(allowedHost(h, 4321), String(h)).toBe(false);
    }
    expect(allowedHost('localhost', 80)).toBe(true);
  });
});

describe('serve: prototype keys in the query', () => {
  it('refuses __proto__, constructor and every other Object.prototype name with 400', () => {
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'isPrototypeOf']) {
      expect(() => flattenQuery(nullProto([[key, '1']])), key).toThrow(BadRequest);
    }
    expect(flattenQuery(nullProto([['segment', 'SME']]))).toEqual({ segment: 'SME' });
  });
});

describe('dashboards: data values in HTML tooltips are escaped', () => {
  it('escapeHtml leaves no markup', () => {
    expect(escapeHtml(HOSTILE)).not.toMatch(/[<>"]/);
    expect(escapeHtml(HOSTILE)).toContain('PAY TO NL00HACK');
  });

  it('quadrant, heatmap and roll-forward tooltips show a hostile name as text', () => {
    const quadrant = quadrantChart(
      [{ customer_id: 'C1', name: HOSTILE, score: 70, revenue_t12m: '1000.00', open_ar: '10.00', priority: 'grow' }],
      ctx,
    );
    const qf = (quadrant.option.tooltip as { formatter: (p: unknown) => string }).formatter;
    const qHtml = qf({ data: { name: HOSTILE, value: [70, 1000, 10] }, seriesName: HOSTILE });
    expect(qHtml).not.toContain('<img');
    expect(qHtml).not.toContain('<b ');
    expect(qHtml).toContain('&#60;b style=&#34;color:red&#34;&#62;PAY TO NL00HACK');

    const heat = bankruptcyHeatmap([{ period_start: '2024-01-01', sbi_section: HOSTILE, rate_per_1000: 3, national_rate_per_1000: 2, monitored: 100, bankruptcies: 1 }], ctx);
    const hf = (heat.option.tooltip as { formatter: (p: unknown) => string }).formatter;
    const hHtml = hf({ data: [0, 0, 3] });
    expect(hHtml).not.toContain('<img');
    expect(hHtml).toContain('PAY TO NL00HACK');

    const rf = rollforwardChart({ month: '2024-01-01', ar_begin: '1.00', invoiced: '1.00', credit_notes: '0.00', collected: '0.00', written_off: '0.00', ar_end: '2.00' }, ctx);
    const rfHtml = (rf.option.tooltip as { formatter: (p: unknown) => string }).formatter([{ dataIndex: 0 }]);
    expect(rfHtml).not.toMatch(/[<>]/);
  });
});
