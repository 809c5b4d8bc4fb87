import { sbiReference, type SbiCode } from '../reference/sbi.js';

/** SBI 2008 sections A-U (Dutch NACE Rev. 2 extension). */
export const SBI_SECTIONS = [
  'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T', 'U',
] as const;
export type SbiSection = (typeof SBI_SECTIONS)[number];

let cache: ReadonlyMap<SbiSection, readonly SbiCode[]> | undefined;

/**
 * The most detailed SBI 2008 codes (those without sub-codes: what a KvK registration carries) per
 * section, from the shipped reference (src/reference/sbi/, CC0, apollor).
 */
export function sbiCodesBySection(): ReadonlyMap<SbiSection, readonly SbiCode[]> {
  if (cache) return cache;
  const all = [...sbiReference().codes.values()].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const map = new Map<SbiSection, SbiCode[]>();
  for (let i = 0; i < all.length; i++) {
    const c = all[i] as SbiCode;
    // sorted digit strings: a code's descendants follow it directly and start with it
    const next = all[i + 1];
    if (next && next.code.startsWith(c.code)) continue;
    const list = map.get(c.section as SbiSection) ?? [];
    list.push(c);
    map.set(c.section as SbiSection, list);
  }
  cache = map;
  return map;
}
