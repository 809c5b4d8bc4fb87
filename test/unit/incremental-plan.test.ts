import { describe, expect, it } from 'vitest';
import { FINGERPRINT_FORMAT, batchOfFile, describeChanges, modelFingerprints, planIncremental, type BuildInputs, type PlanInput } from '../../src/warehouse/incremental.js';
import type { Model } from '../../src/warehouse/compile/index.js';

const model = (name: string, kind: Model['kind'], refs: string[] = []): Model => ({ name, kind, path: `${kind}/${name}.sql`, source: '', parts: [], refs, sources: [] });
const project = [model('stg_a', 'staging'), model('stg_b', 'staging'), model('mart_a', 'marts', ['stg_a']), model('mart_ab', 'marts', ['stg_a', 'stg_b']), model('mart_on_mart', 'marts', ['mart_a']), model('test_a', 'tests', ['mart_a'])];

function fingerprints(sql: Record<string, string>, salt = 's'): Map<string, string> {
  return modelFingerprints(project, salt, (m) => sql[m.name] ?? m.name);
}

const inputs = (models: Record<string, string>, over: Partial<BuildInputs> = {}): BuildInputs => ({
  format: FINGERPRINT_FORMAT,
  salt: 's',
  config: 'c',
  tested: true,
  tables: { a: ['aaaaaaaaaaaa'], b: ['bbbbbbbbbbbb'] },
  sources: { stg_a: '1', stg_b: '1', mart_a: '1', mart_ab: '1', mart_on_mart: '1' },
  models,
  ...over,
});

const before = fingerprints({ stg_a: 'files a1' });
const record = Object.fromEntries(before);
const files = { mart_a: 'marts/mart_a/1.parquet', mart_ab: 'marts/mart_ab/1.parquet', mart_on_mart: 'marts/mart_on_mart/1.parquet' };
const base = (over: Partial<PlanInput> = {}): PlanInput => ({
  fullRefresh: false,
  previous: { build_id: 'b1', engine: 'duckdb', ok: true, marts: files, inputs: inputs(record) },
  current: inputs({}),
  fingerprints: before,
  marts: new Set(['mart_a', 'mart_ab', 'mart_on_mart']),
  fileExists: () => true,
  ...over,
});

describe('incremental build plan', () => {
  it('a fingerprint changes with the model SQL (a new batch list) and with every model upstream, not otherwise', () => {
    const after = fingerprints({ stg_a: 'files a1 a2' });
    expect(after.get('stg_a')).not.toBe(before.get('stg_a'));
    expect(after.get('mart_a')).not.toBe(before.get('mart_a'));
    expect(after.get('mart_on_mart')).not.toBe(before.get('mart_on_mart'));
    expect(after.get('stg_b')).toBe(before.get('stg_b'));
    expect(fingerprints({ stg_a: 'files a1' }, 'other version').get('stg_b')).not.toBe(before.get('stg_b'));
  });

  it('carries the marts whose fingerprint is the one their file was built from, rebuilds the rest', () => {
    const plan = planIncremental(base({ fingerprints: fingerprints({ stg_a: 'files a1', stg_b: 'files b1 b2' }) }));
    expect(plan.mode).toBe('incremental');
    expect(plan.carried).toEqual(['mart_a', 'mart_on_mart']);
    expect([...plan.rebuild].sort()).toEqual(['mart_ab', 'stg_b']);
    expect(planIncremental(base()).carried).toEqual(['mart_a', 'mart_ab', 'mart_on_mart']);
    expect(planIncremental(base()).rebuild.size).toBe(0);
  });

  it('runs a data test again when its own SQL changed, although what it reads did not', () => {
    const plan = planIncremental(base({ fingerprints: fingerprints({ stg_a: 'files a1', test_a: 'a stricter test' }) }));
    expect(plan.rebuild).toEqual(new Set(['test_a']));
    expect(plan.carried).toEqual(['mart_a', 'mart_ab', 'mart_on_mart']);
  });

  it('rebuilds a mart whose file is gone or whose recorded fingerprint is stale', () => {
    expect(planIncremental(base({ fileExists: (f) => !f.includes('mart_ab') })).rebuild).toEqual(new Set(['mart_ab']));
    const stale = { ...record, mart_a: 'stale' };
    const plan = planIncremental(base({ previous: { build_id: 'b1', ok: true, marts: files, inputs: inputs(stale) } }));
    expect(plan.rebuild).toEqual(new Set(['mart_a']));
  });

  it('falls back to a full refresh, saying why', () => {
    const reason = (over: Partial<PlanInput>) => {
      const p = planIncremental(base(over));
      expect(p.rebuild.size).toBe(6);
      expect(p.mode).toBe('full');
      return p.reason;
    };
    expect(reason({ fullRefresh: true })).toBe('--full-refresh');
    expect(reason({ previous: undefined })).toBe('no previous build');
    expect(reason({ previous: { build_id: 'b1', ok: true, marts: files } })).toMatch(/recorded no input fingerprints/);
    expect(reason({ previous: { build_id: 'b1', ok: false, marts: files, inputs: inputs(record) } })).toBe('the previous build failed a data test');
    expect(reason({ previous: { build_id: 'b1', ok: true, marts: files, inputs: inputs(record, { tested: false }) } })).toBe('the previous build skipped the data tests');
    expect(reason({ previous: { build_id: 'b1', ok: true, marts: files, inputs: inputs(record, { salt: 'old' }) } })).toMatch(/version changed/);
    expect(reason({ previous: { build_id: 'b1', engine: 'trino', ok: true, marts: files, inputs: inputs(record) } })).toMatch(/ran on trino/);
  });

  it('says what changed: batches, config, model SQL', () => {
    const prev = inputs({});
    const cur = inputs({}, { tables: { a: ['aaaaaaaaaaaa', 'cccccccccccc'] }, config: 'd', sources: { ...prev.sources, mart_a: '2', new_mart: '1' } });
    expect(describeChanges(prev, cur)).toEqual(['a: 1 new batch', 'b: 1 batch retired or compacted', 'config changed', 'model SQL changed: mart_a', 'new models: new_mart']);
    expect(batchOfFile('raw/invoices/ingest_date=2026-01-02/20260102T101500.123Z-0123456789ab.parquet')).toBe('0123456789ab');
  });
});
