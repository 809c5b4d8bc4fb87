import { shippedCbsBankruptcies, shippedCbsFirms } from '../../reference/cbs.js';

/**
 * Relative bankruptcy rate per SBI section from the shipped CBS baseline: (bankruptcies / firms) of
 * the section over the national rate. Sections with few cases are shrunk towards 1 with a few
 * pseudo-bankruptcies, so a section with 0 cases in six months (B, O, T, U) is rare, not immune.
 */
const PSEUDO_CASES = 5;

let cached: ReadonlyMap<string, number> | undefined;

export function cbsRelativeRates(): ReadonlyMap<string, number> {
  if (cached) return cached;
  const all = shippedCbsBankruptcies().filter((r) => /eenmanszaken/.test(r.debtorType) && /instellingen/.test(r.debtorType));
  const firms = shippedCbsFirms();
  const total = firms.find((f) => f.branch.code === 'A-U')!.total;
  const national = all.filter((r) => r.branch.code === 'A-U').reduce((a, r) => a + r.bankruptcies, 0) / total;
  const out = new Map<string, number>();
  for (const f of firms) {
    const s = f.branch.section;
    if (!s) continue;
    const cases = all.filter((r) => r.branch.section === s).reduce((a, r) => a + r.bankruptcies, 0);
    out.set(s, (cases + PSEUDO_CASES) / (f.total * national + PSEUDO_CASES));
  }
  cached = out;
  return out;
}
