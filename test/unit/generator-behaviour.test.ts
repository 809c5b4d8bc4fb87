import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { customerProfiles, type CustomerProfile } from '../../src/generator/index.js';
import { main } from '../../src/cli/main.js';
import { CANONICAL_TABLES } from '../../src/schema/tables.js';

const profiles = [...customerProfiles({ customers: 8_000, months: 24, seed: 'mix' })];
const share = (ps: CustomerProfile[], pred: (p: CustomerProfile) => boolean) => ps.filter(pred).length / ps.length;
const bad = (p: CustomerProfile) => p.habit === 'chronic_late' || p.habit === 'never';

describe('payment habits differ by industry and size', () => {
  it('construction and hospitality pay worse than public bodies and finance', () => {
    const fi = profiles.filter((p) => p.section === 'F' || p.section === 'I');
    const public_ = profiles.filter((p) => ['O', 'K', 'D'].includes(p.section));
    expect(fi.length).toBeGreaterThan(500);
    expect(public_.length).toBeGreaterThan(100);
    expect(share(fi, bad)).toBeGreaterThan(2 * share(public_, bad));
  });

  it('large firms are slower but reliable; micro firms default more', () => {
    const large = profiles.filter((p) => p.sizeClass === 'large');
    const micro = profiles.filter((p) => p.sizeClass === 'micro');
    expect(share(large, (p) => p.habit === 'late')).toBeGreaterThan(share(micro, (p) => p.habit === 'late'));
    expect(share(large, bad)).toBeLessThan(share(micro, bad));
    expect(share(large, (p) => p.invoicesPerMonth > 3)).toBeGreaterThan(share(micro, (p) => p.invoicesPerMonth > 3));
  });

  it('every habit occurs, and 1-3 % of customers become distressed inside the window', () => {
    expect(new Set(profiles.map((p) => p.habit)).size).toBe(5);
    const distressed = share(profiles, (p) => p.distressDay !== null);
    expect(distressed).toBeGreaterThan(0.01);
    expect(distressed).toBeLessThan(0.03);
  });
});

function sink() {
  let text = '';
  const stream = new Writable({ write(chunk, _enc, cb) { text += String(chunk); cb(); } });
  return { stream, text: () => text };
}

describe('creditlake generate', () => {
  it('writes the CSVs and prints a JSON summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-cli-'));
    try {
      const out = sink();
      const err = sink();
      const code = await main(['generate', '--customers', '20', '--months', '3', '--seed', '9', '--out', 'led', '--json'], {
        stdout: out.stream, stderr: err.stream, cwd: dir,
      });
      expect(code).toBe(0);
      const summary = JSON.parse(out.text());
      expect(summary.endDate).toBe('2026-10-31');
      expect(summary.startDate).toBe('2026-08-01');
      expect(summary.rows.customers).toBe(20);
      // An open-item snapshot series is the other way to describe the same ledger, not part of an event history.
      const eventTables = CANONICAL_TABLES.filter((t) => t.name !== 'open_item_snapshots' && t.name !== 'fx_rates' && t.name !== 'disputes'); // nor are exchange rates; disputes are not generated yet
      expect(readdirSync(join(dir, 'led')).sort()).toEqual(eventTables.map((t) => `${t.name}.csv`).sort());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects missing or malformed options with exit code 2', async () => {
    for (const argv of [
      ['generate', '--months', '3'],
      ['generate', '--customers', 'x', '--months', '3'],
      ['generate', '--customers', '5', '--months', '3', '--end-date', '31-10-2026'],
    ]) {
      const err = sink();
      expect(await main(argv, { stdout: sink().stream, stderr: err.stream })).toBe(2);
      expect(err.text()).toMatch(/--(customers|end-date)/);
    }
  });
});
