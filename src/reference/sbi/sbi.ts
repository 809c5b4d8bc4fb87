import { readFileSync } from 'node:fs';

/** SBI 2008 sections A-U (Dutch NACE Rev. 2 extension). */
export const SBI_SECTIONS = [
  'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N', 'O', 'P', 'Q', 'R', 'S', 'T', 'U',
] as const;
export type SbiSection = (typeof SBI_SECTIONS)[number];

export interface SbiCode {
  /** KvK style, no dots: `01131`. The first two digits are the division. */
  code: string;
  /** As published, with dots: `01.13.1`. */
  dotted: string;
  section: SbiSection;
  description: string;
}

const FILE = new URL('./sbi2008_codes_to_section_apollor.csv', import.meta.url);

/** Splits one CSV line with RFC 4180 quoting (the reference file has quoted descriptions with commas). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

let cache: SbiCode[] | undefined;

/**
 * The most detailed SBI 2008 codes (those without sub-codes), which is what a KvK registration carries.
 */
export function sbiActivityCodes(): readonly SbiCode[] {
  if (cache) return cache;
  const lines = readFileSync(FILE, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = splitCsvLine(lines[0] ?? '');
  const at = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`SBI reference file lacks column ${name}`);
    return i;
  };
  const [iCode, iDesc, iSection] = [at('sbi_code_txt'), at('sbi_omschrijving'), at('afdeling')];
  const rows = lines.slice(1).map(splitCsvLine);
  const dotted = new Set(rows.map((r) => r[iCode] ?? ''));
  const hasChild = new Set<string>();
  for (const c of dotted) {
    // ancestors of `01.13.1` are `01.13` and `01`; of `01.11` they are `01.1` and `01`
    const cut = c.lastIndexOf('.');
    if (cut > 0) hasChild.add(c.slice(0, cut));
    if (cut > 0 && c.length - cut > 2) hasChild.add(c.slice(0, -1));
  }
  cache = rows
    .filter((r) => !hasChild.has(r[iCode] ?? ''))
    .map((r) => ({
      code: (r[iCode] ?? '').replaceAll('.', ''),
      dotted: r[iCode] ?? '',
      section: r[iSection] as SbiSection,
      description: r[iDesc] ?? '',
    }))
    .filter((c) => (SBI_SECTIONS as readonly string[]).includes(c.section));
  return cache;
}

/** Activity codes grouped by section. */
export function sbiCodesBySection(): ReadonlyMap<SbiSection, readonly SbiCode[]> {
  const map = new Map<SbiSection, SbiCode[]>();
  for (const c of sbiActivityCodes()) {
    const list = map.get(c.section) ?? [];
    list.push(c);
    map.set(c.section, list);
  }
  return map;
}
