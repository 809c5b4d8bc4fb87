import { describe, expect, it } from 'vitest';
import { agingChart, bucketsOf } from '../../dashboards/src/charts/aging.js';
import { barChart, barPlot } from '../../dashboards/src/charts/bars.js';
import { axisTicks, defaultTip, labelInterval, niceStep } from '../../dashboards/src/charts/plot.js';
import { pivot, sumMoney } from '../../dashboards/src/charts/common.js';
import { dsoTrendChart } from '../../dashboards/src/charts/dso.js';
import { bankruptcyHeatmap } from '../../dashboards/src/charts/heatmap.js';
import { bubbleSize, quadrantChart } from '../../dashboards/src/charts/quadrant.js';
import { rollforwardChart, stepAmount } from '../../dashboards/src/charts/rollforward.js';
import { stackedChart } from '../../dashboards/src/charts/stacked.js';
import { sortRows, tableOf } from '../../dashboards/src/charts/tables.js';
import { kpiTiles } from '../../dashboards/src/charts/tiles.js';
import { parseState, sliceParams, toUrl, withChanges } from '../../dashboards/src/state.js';

const en = { lang: 'en' as const, currency: 'EUR' };
const nl = { lang: 'nl' as const, currency: 'EUR' };
type AnyOpt = Record<string, any>;

describe('exact money helpers', () => {
  it('sums decimal strings in cents', () => {
    expect(sumMoney(['0.10', '0.20', '0.30'])).toBe('0.60');
    expect(sumMoney(['9007199254740993.01', '0.01'])).toBe('9007199254740993.02');
    expect(sumMoney(['-5.5', '2.25', null])).toBe('-3.25');
  });
  it('pivots long rows to wide ones with zeros for missing cells', () => {
    const p = pivot([{ d: 'a', s: 'x', v: 1 }, { d: 'b', s: 'y', v: 2 }], 'd', 's', 'v');
    expect(p.wide).toEqual([{ d: 'a', x: 1, y: 0 }, { d: 'b', x: 0, y: 2 }]);
  });
});

describe('DSO trend', () => {
  const rows = [
    { month: '2024-01-01', dso: 40, dso_rolling_3m: 40, bpdso: 20 },
    { month: '2024-02-01', dso: 44, dso_rolling_3m: 42, bpdso: 21 },
    { month: '2024-03-01', dso: 48.5, dso_rolling_3m: 44.17, bpdso: 22 },
  ];
  it('draws DSO, rolling average and BPDSO with distinct line styles and a target line', () => {
    const m = dsoTrendChart(rows, 45, en);
    const o = m.option as AnyOpt;
    expect(o.series.map((s: AnyOpt) => s.name)).toEqual(['DSO', 'DSO, 3-month average', 'Best possible DSO']);
    expect(o.series[0].data).toEqual([40, 44, 48.5]);
    expect(new Set(o.series.map((s: AnyOpt) => s.lineStyle.type)).size).toBe(3);
    expect(o.series[0].markLine.data[0].yAxis).toBe(45);
    expect(o.xAxis.data).toEqual(['Jan 2024', 'Feb 2024', 'Mar 2024']);
    expect(o.aria.enabled).toBe(true);
  });
  it('the table has the plotted numbers and the target; the summary names the latest value', () => {
    const m = dsoTrendChart(rows, 45, nl);
    expect(m.table.rows[2]).toEqual({ month: '2024-03-01', dso: 48.5, dso_rolling_3m: 44.17, bpdso: 22, dso_target: 45 });
    expect(m.summary).toContain('48,5 dagen');
    expect(m.summary).toContain('45 dagen');
  });
  it('no target, no target line or column', () => {
    const m = dsoTrendChart(rows, null, en);
    expect((m.option as AnyOpt).series[0].markLine).toBeUndefined();
    expect(m.table.columns.map((c) => c.key)).not.toContain('dso_target');
  });
});

describe('aging', () => {
  // As the API sends them: bucket order and kind from the server, shares of the aged debit balances.
  const rows = [
    { as_of_date: '2024-01-31', bucket: 'not due', bucket_order: 0, bucket_kind: 'aging', open_amount: '75.00', open_count: 3, share_pct: 75 },
    { as_of_date: '2024-01-31', bucket: '>90', bucket_order: 5, bucket_kind: 'aging', open_amount: '25.00', open_count: 1, share_pct: 25 },
    { as_of_date: '2024-01-31', bucket: 'unapplied cash', bucket_order: 6, bucket_kind: 'credit', open_amount: '-40.00', open_count: 1, share_pct: null },
    { as_of_date: '2024-02-29', bucket: 'not due', bucket_order: 0, bucket_kind: 'aging', open_amount: '100.10', open_count: 4, share_pct: 33.3333 },
    { as_of_date: '2024-02-29', bucket: '1-14', bucket_order: 1, bucket_kind: 'aging', open_amount: '200.20', open_count: 2, share_pct: 66.6667 },
  ];
  it('orders buckets by the server order and keeps credit lines apart', () => {
    expect(bucketsOf(rows)).toEqual({ aging: ['not due', '1-14', '>90'], credit: ['unapplied cash'] });
  });
  it('stacks amounts per month end in bucket order, credit lines on their own stack', () => {
    const m = agingChart(rows, 'amount', en);
    const o = m.option as AnyOpt;
    expect(o.series.map((s: AnyOpt) => s.name)).toEqual(['not due', '1-14', '>90', 'unapplied cash']);
    expect(o.series.map((s: AnyOpt) => s.stack)).toEqual(['aging', 'aging', 'aging', 'credit']);
    expect(o.series[0].data).toEqual([75, 100.1]);
    expect(m.table.rows[1]).toEqual({ as_of_date: '2024-02-29', 'not due': '100.10', '1-14': '200.20', '>90': 0, 'unapplied cash': 0 });
  });
  it('in percent mode the aged buckets add to 100 and unapplied cash is not in the shares', () => {
    const m = agingChart(rows, 'pct', nl);
    for (const r of m.table.rows) {
      const total = ['not due', '1-14', '>90'].reduce((a, b) => a + Number(r[b]), 0);
      expect(total).toBeCloseTo(100, 1);
    }
    const o = m.option as AnyOpt;
    expect(o.series.map((s: AnyOpt) => s.name)).not.toContain('niet-toegewezen betalingen');
    expect(o.series).toHaveLength(3);
    expect(m.table.rows[0]!['>90']).toBe(25);
    expect(m.table.rows[0]!['unapplied cash']).toBe('-40.00');
    expect(o.yAxis.max).toBe(100);
    expect(m.table.columns[1]!.label).toBe('niet vervallen');
    // The summary names the oldest buckets and does not add unapplied cash into >90.
    const sum = agingChart(rows.filter((r) => r.as_of_date === '2024-01-31'), 'amount', en).summary;
    expect(sum).toContain('>90 €25.00');
    expect(sum).toMatch(/unapplied cash -?€-?40\.00/);
  });
});

describe('roll-forward waterfall', () => {
  it('signs movements and checks the tie-out exactly', () => {
    const row = { month: '2024-03-01', ar_begin: '1000.00', invoiced: '500.10', credit_notes: '-20.00', collected: '400.05', written_off: '10.00', ar_end: '1070.05' };
    const m = rollforwardChart(row, en);
    expect(m.table.rows.map((r) => r.amount)).toEqual(['1000.00', '500.10', '-20.00', '-400.05', '-10.00', '1070.05']);
    expect(m.tiesOut).toBe(true);
    expect(rollforwardChart({ ...row, ar_end: '1070.06' }, en).tiesOut).toBe(false);
    const o = m.option as AnyOpt;
    // invisible base under each floating step, without a decal pattern
    expect(o.series[0].data).toEqual([0, 1000, 1480.1, 1080.05, 1070.05, 0]);
    expect(o.series[0].itemStyle.decal).toEqual({ symbol: 'none' });
    expect(stepAmount('-3.00', -1)).toBe('-3.00');
    expect(stepAmount('3.00', -1)).toBe('-3.00');
    expect(stepAmount('0', -1)).toBe('0.00');
  });
});

describe('bars, stacks, quadrant, heatmap', () => {
  it('bar chart translates categories and puts lines on a second axis', () => {
    const rows = [{ month: '2024-01-01', refused: 3, decisions: 10, acceptance_rate: 70 }];
    const m = barChart(rows, {
      title: 'c_decisions',
      category: { key: 'month', kind: 'month' },
      bars: [{ key: 'decisions', kind: 'int' }, { key: 'refused', kind: 'int' }],
      lines: [{ key: 'acceptance_rate', kind: 'pct' }],
    }, nl);
    const o = m.option as AnyOpt;
    expect(o.xAxis.data).toEqual(['jan 2024']);
    expect(o.yAxis).toHaveLength(2);
    expect(o.series[2].yAxisIndex).toBe(1);
    expect(m.table.columns.map((c) => c.label)).toEqual(['Maand', 'Beslissingen', 'Afgewezen', 'Acceptatiegraad']);
  });
  it('a line of the same kind as the bars shares their axis', () => {
    const m = barChart([{ week: '2024-01-01', received: '10.00', forecast: '12.00' }], {
      title: 'c_cash',
      category: { key: 'week', kind: 'date' },
      bars: [{ key: 'received', kind: 'money' }],
      lines: [{ key: 'forecast', kind: 'money' }],
    }, en);
    const o = m.option as AnyOpt;
    expect(o.yAxis).toHaveLength(1);
    expect(o.series[1].yAxisIndex).toBe(0);
  });
  it('stacked chart pivots actions per day in a fixed order', () => {
    const rows = [
      { day: '2024-01-02', action_type: 'phone_call', actions: 2 },
      { day: '2024-01-02', action_type: 'reminder', actions: 5 },
      { day: '2024-01-03', action_type: 'reminder', actions: 1 },
    ];
    const m = stackedChart(rows, { title: 'c_activity', category: { key: 'day', kind: 'date' }, series: { key: 'action_type', order: ['reminder', 'dunning_letter', 'phone_call'] }, value: { key: 'actions', kind: 'int' } }, en);
    const o = m.option as AnyOpt;
    expect(o.series.map((s: AnyOpt) => s.name)).toEqual(['Reminders', 'Phone calls']);
    expect(m.table.rows).toEqual([{ day: '2024-01-02', reminder: 5, phone_call: 2 }, { day: '2024-01-03', reminder: 1, phone_call: 0 }]);
    expect(m.summary).toContain('Reminders 6');
    const long = Array.from({ length: 120 }, (_, i) => ({ day: `d${i}`, action_type: 'reminder', actions: 1 }));
    const area = stackedChart(long, { title: 'c_activity', category: { key: 'day', kind: 'text' }, series: { key: 'action_type' }, value: { key: 'actions', kind: 'int' }, areaAbove: 92 }, en);
    expect((area.option as AnyOpt).series[0]).toMatchObject({ type: 'line', stack: 'total', showSymbol: false });
    expect(area.table.rows).toHaveLength(120);
  });
  it('quadrant: one marker shape per priority, bubble grows with open AR', () => {
    const rows = [
      { customer_id: 'A', name: 'A', score: 80, revenue_t12m: '1000.00', open_ar: '100.00', priority: 'grow' },
      { customer_id: 'B', name: 'B', score: 30, revenue_t12m: '5000.00', open_ar: '400.00', priority: 'restrict' },
    ];
    const o = quadrantChart(rows, en).option as AnyOpt;
    expect(o.series.map((s: AnyOpt) => s.symbol)).toEqual(['circle', 'diamond']);
    expect(bubbleSize(400, 400)).toBe(40);
    expect(bubbleSize(100, 400)).toBe(20);
    expect(bubbleSize(0, 400)).toBe(6);
  });
  it('heatmap cells carry labels and the table keeps the national rate', () => {
    const rows = [
      { period_start: '2024-01-01', sbi_section: 'F', monitored: 1000, bankruptcies: 3, rate_per_1000: 3, national_rate_per_1000: 2.1 },
      { period_start: '2024-04-01', sbi_section: 'C', monitored: 500, bankruptcies: 1, rate_per_1000: 2, national_rate_per_1000: null },
    ];
    const m = bankruptcyHeatmap(rows, nl);
    const o = m.option as AnyOpt;
    expect(o.series[0].label.show).toBe(true);
    expect(o.series[0].data).toEqual([[0, 1, 3], [1, 0, 2]]);
    expect(o.xAxis.data).toEqual(['K1 2024', 'K2 2024']);
    expect(m.table.rows[0]!.national_rate_per_1000).toBe(2.1);
    // The colour scale spans every value (a capped scale painted 12.0 and 58.8 alike); cells keep their numbers.
    const many = Array.from({ length: 20 }, (_, i) => ({ period_start: '2024-01-01', sbi_section: String.fromCharCode(65 + i), rate_per_1000: i === 0 ? 58.8 : i === 1 ? 12 : 4 }));
    expect((bankruptcyHeatmap(many, en).option as AnyOpt).visualMap.max).toBe(58.8);
  });
});

describe('KPI tiles', () => {
  const rows = [
    { kpi: 'dso', unit: 'days', value: 50, previous: 45, year_ago: 55, target: 45, unavailable: null },
    { kpi: 'cei', unit: 'pct', value: 85, previous: 80, year_ago: null, target: 80, unavailable: null },
    { kpi: 'open_ar', unit: 'money', value: '1500.00', previous: '1000.00', year_ago: null, target: null, unavailable: null },
    { kpi: 'write_offs', unit: 'money', value: null, previous: null, year_ago: null, target: null, unavailable: 'write_offs_monthly' },
  ];
  it('judge direction per KPI and show it with arrows and words, not only colour', () => {
    const [dso, cei, ar, wo] = kpiTiles(rows, en);
    expect(dso!.changePrev).toMatchObject({ direction: 'worse', arrow: '▲', text: '+5.0' });
    expect(dso!.changeYear).toMatchObject({ direction: 'better', arrow: '▼' });
    expect(dso!.target).toEqual({ text: '45.0', met: false });
    expect(cei!.changePrev).toMatchObject({ direction: 'better', text: '+5.0 pp' });
    expect(cei!.target!.met).toBe(true);
    expect(ar!.changePrev).toMatchObject({ direction: 'neutral' });
    expect(ar!.changePrev!.text.replace(/\u00a0/g, ' ')).toMatch(/^\+€500/);
    expect(wo!.unavailable).toBe('write_offs_monthly');
    expect(kpiTiles(rows, nl)[0]!.value).toBe('50,0');
  });
});

describe('tables', () => {
  it('translate enumerations, keep amounts exact, sort numerically', () => {
    const columns = [
      { name: 'document_id', kind: 'text' }, { name: 'due_date', kind: 'date' }, { name: 'open_amount', kind: 'money' },
      { name: 'days_past_due', kind: 'int' }, { name: 'bucket', kind: 'enum' },
    ] as const;
    const table = tableOf('customer_open_items', { columns: [...columns], rows: [
      { document_id: 'D2', due_date: '2024-01-01', open_amount: '9.50', days_past_due: 5, bucket: 'not due' },
      { document_id: 'D1', due_date: '2024-01-01', open_amount: '10.00', days_past_due: 50, bucket: '31-60' },
    ] }, nl);
    expect(table.columns.map((c) => [c.key, c.kind])).toEqual([['document_id', 'text'], ['due_date', 'date'], ['open_amount', 'money'], ['days_past_due', 'int'], ['bucket', 'text']]);
    expect(table.rows[0]!.bucket).toBe('niet vervallen');
    expect(table.rows[1]!.open_amount).toBe('10.00');
    expect(sortRows(table.rows, 'open_amount', 'desc', 'nl').map((r) => r.document_id)).toEqual(['D1', 'D2']);
    expect(sortRows(table.rows, 'document_id', 'asc', 'nl').map((r) => r.document_id)).toEqual(['D1', 'D2']);
  });
});

describe('view state in the URL', () => {
  it('round-trips filters and leaves defaults out', () => {
    const s = parseState('/risk', '?segment=mid-market&period=24m&lang=nl&as_of=2024-06-30');
    expect(s).toMatchObject({ page: 'risk', segment: 'mid-market', period: '24m', lang: 'nl', as_of: '2024-06-30', theme: 'light' });
    expect(toUrl(s)).toBe('/risk?as_of=2024-06-30&period=24m&segment=mid-market&lang=nl');
    expect(parseState('/risk', toUrl(s).split('?')[1]!)).toEqual(s);
    expect(toUrl(parseState('/', ''))).toBe('/cfo');
  });
  it('drops invalid values instead of passing them on', () => {
    const s = parseState('/nope', "?segment=x'%20OR%201=1&period=forever&country=nl&sbi_section=F");
    expect(s.page).toBe('cfo');
    expect(s.segment).toBeUndefined();
    expect(s.period).toBe('12m');
    expect(s.country).toBeUndefined();
    expect(s.sbi_section).toBe('F');
  });
  it('changes clear filters and drill-downs; slices get only the parameters they accept', () => {
    const c = parseState('/customers/C%2F1', '?lang=nl');
    expect(c).toMatchObject({ page: 'customer', customer_id: 'C/1', lang: 'nl' });
    expect(toUrl(c)).toBe('/customers/C%2F1?lang=nl');
    expect(withChanges(c, { page: 'risk' }).customer_id).toBeUndefined();
    const s = parseState('/cfo', '?segment=a');
    expect(withChanges(s, { segment: undefined }).segment).toBeUndefined();
    expect(sliceParams(s, ['segment', 'period', 'as_of'])).toEqual({ segment: 'a' });
    expect(sliceParams(withChanges(s, { period: '24m' }), ['period'])).toEqual({ period: '24m' });
  });
});

describe('plots drawn without the chart library (customer page)', () => {
  it('value axes: round ticks that include zero and the data; fixed min, max and interval as given', () => {
    expect(niceStep(1000)).toBe(200);
    expect(niceStep(12)).toBe(2.5);
    expect(axisTicks({ format: String }, [120, 987])).toEqual([0, 200, 400, 600, 800, 1000]);
    expect(axisTicks({ format: String }, [-30, 45])).toEqual([-40, -20, 0, 20, 40, 60]);
    expect(axisTicks({ format: String }, [])).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(axisTicks({ format: String, min: 1, max: 5, interval: 1 }, [2, 3])).toEqual([1, 2, 3, 4, 5]);
    expect(axisTicks({ format: String }, [0.15, 1.37])).toEqual([0, 0.5, 1, 1.5]);
  });
  it('category labels thin out so that they do not overlap', () => {
    expect(labelInterval(50, 60)).toBe(1);
    expect(labelInterval(50, 20)).toBe(3);
  });
  it('barPlot: bars on the left axis, a line of another kind on the right, tooltips from the exact values, the same table as barChart', () => {
    const rows = [
      { month: '2024-01-01', open_ar: '1000.10', overdue_ar: '0.00', utilisation: 0.5 },
      { month: '2024-02-01', open_ar: '2000.25', overdue_ar: null, utilisation: 1.25 },
    ];
    const spec = {
      title: 'c_history' as const,
      category: { key: 'month', kind: 'month' as const },
      bars: [{ key: 'open_ar', kind: 'money' as const }, { key: 'overdue_ar', kind: 'money' as const }],
      lines: [{ key: 'utilisation', kind: 'ratio' as const }],
    };
    const m = barPlot(rows, spec, en);
    expect(m.plot.categories).toEqual(['Jan 2024', 'Feb 2024']);
    expect(m.plot.axes).toHaveLength(2);
    expect(m.plot.series.map((s) => [s.kind, s.axis, s.values])).toEqual([['bar', 0, [1000.1, 2000.25]], ['bar', 0, [0, null]], ['line', 1, [0.5, 1.25]]]);
    expect(m.plot.axes[1]!.format(1.5)).toBe('150%');
    expect(defaultTip(m.plot, 1).map((l) => l.text)).toEqual(['Open AR: €2,000.25', 'Limit used: 125.00%']);
    const c = barChart(rows, spec, en);
    expect(m.table).toEqual(c.table);
    expect(m.summary).toBe(c.summary);
  });
});
