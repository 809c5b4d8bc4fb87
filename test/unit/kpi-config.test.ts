import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, parseConfig } from '../../src/config/config.js';
import { athenaTarget, compileModel, loadProject } from '../../src/warehouse/compile/index.js';
import { costCategories } from '../../src/warehouse/compile/kpi-functions.js';

describe('KPI suite config', () => {
  it('has the documented defaults without a file', () => {
    const c = defaultConfig();
    expect(c.payment_behaviour).toEqual({ grace_days: 0 });
    expect(c.open_invoice_counts).toEqual({ bucket_edges: [14, 30, 60, 90] });
    expect(c.write_offs).toEqual({ ceiling_ratio: 0.005, ceiling_basis: 'rolling_12m' });
    expect(c.credit_decisions).toEqual({ limited_counts_as_accepted: true });
    expect(c.concentration).toEqual({ top_fraction: 0.2, top_n: 10 });
    expect(c.credit_limits).toEqual({ source: 'customer_master' });
    expect(costCategories(c)).toMatchObject({ reminder: 'internal', collection_agency: 'agency', legal: 'legal' });
  });

  it('merges partial sections and cost categories over the defaults', () => {
    const c = parseConfig({ write_offs: { ceiling_ratio: 0.01 }, collections: { cost_categories: { payment_link: 'digital' } } });
    expect(c.write_offs).toEqual({ ceiling_ratio: 0.01, ceiling_basis: 'rolling_12m' });
    expect(costCategories(c)).toMatchObject({ payment_link: 'digital', email: 'internal', legal: 'legal' });
  });

  it('rejects bad values naming the path', () => {
    expect(() => parseConfig({ write_offs: { ceiling_ratio: 2 } })).toThrow(/write_offs\.ceiling_ratio/);
    expect(() => parseConfig({ open_invoice_counts: { bucket_edges: [30, 14] } })).toThrow(ConfigError);
    expect(() => parseConfig({ collections: { cost_categories: { fax: 'internal' } } })).toThrow(/collections\.cost_categories/);
    expect(() => parseConfig({ concentration: { top_fraction: 0 } })).toThrow(/concentration\.top_fraction/);
    expect(() => parseConfig({ credit_limits: { source: 'guess' } })).toThrow(/credit_limits\.source/);
  });

  it('compiles the variants into the Athena SQL', () => {
    const project = loadProject();
    const sql = (name: string, raw: unknown) => compileModel(project.find((m) => m.name === name)!, athenaTarget(), parseConfig(raw), project).sql;
    expect(sql('write_offs_monthly', { write_offs: { ceiling_ratio: 0.02, ceiling_basis: 'month' } })).toContain(`'month' AS ceiling_basis`);
    expect(sql('write_offs_monthly', { write_offs: { ceiling_ratio: 0.02 } })).toContain('CAST(0.02 AS DOUBLE) AS ceiling_ratio');
    expect(sql('open_invoice_counts', { open_invoice_counts: { bucket_edges: [30, 60] } })).toContain(`WHEN days_past_due <= 30 THEN '1-30'`);
    expect(sql('payment_behaviour', { payment_behaviour: { grace_days: 5 } })).toContain('CAST(5 AS INTEGER) AS late_grace_days');
    expect(sql('collection_costs_monthly', { collections: { cost_categories: { email: 'digital' } } })).toContain(`THEN 'digital'`);
    expect(sql('credit_limit_utilisation', { credit_limits: { source: 'latest_decision' } })).toContain(`'latest_decision' AS limit_basis`);
  });
});
