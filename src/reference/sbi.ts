import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { csvObjects } from './csv.js';

/**
 * SBI (Standaard Bedrijfsindeling) lookups. Every code is read together with its classification
 * version: SBI 2008 (NACE Rev. 2, sections A-U) is shipped here; SBI 2025 (NACE Rev. 2.1, sections A-V)
 * regroups activities, so a 2025 code must never be looked up in the 2008 table.
 */
export const SBI_VERSIONS = ['SBI2008', 'SBI2025'] as const;
export type SbiVersion = (typeof SBI_VERSIONS)[number];
export const DEFAULT_SBI_VERSION: SbiVersion = 'SBI2008';

export interface SbiSection {
  section: string;
  name: string;
  /** Name CBS StatLine uses for the section (joins the CBS baseline). */
  cbsName: string;
  divisions: string[];
}

export interface SbiCode {
  /** Canonical form: digits only, e.g. `6201`, `01131`. */
  code: string;
  /** Dotted form as KvK prints it, e.g. `62.01`, `01.13.1`. */
  dotted: string;
  description: string;
  level: 'division' | 'group' | 'class' | 'subclass';
  division: string;
  section: string;
  version: SbiVersion;
}

export interface SbiReference {
  version: SbiVersion;
  sections: readonly SbiSection[];
  codes: ReadonlyMap<string, SbiCode>;
}

export const SBI_DIR = fileURLToPath(new URL('./sbi/', import.meta.url));
export const SBI_FILES = {
  codes: 'sbi2008_codes_to_section_apollor.csv',
  sections: 'sbi2008_sections_A-U.csv',
} as const;

const LEVELS = { 2: 'division', 3: 'group', 4: 'class', 5: 'subclass' } as const;

/** `62.01` / `6201` / ` 62 01 ` → `6201`; undefined when it is not 2-5 digits. */
export function normaliseSbiCode(raw: string): string | undefined {
  const digits = raw.trim().replace(/[.\s]/g, '');
  return /^\d{2,5}$/.test(digits) ? digits : undefined;
}

export function dottedSbiCode(code: string): string {
  if (code.length <= 2) return code;
  if (code.length <= 4) return `${code.slice(0, 2)}.${code.slice(2)}`;
  return `${code.slice(0, 2)}.${code.slice(2, 4)}.${code.slice(4)}`;
}

export function parseSbiReference(codesCsv: string, sectionsCsv: string): SbiReference {
  const sections = csvObjects(sectionsCsv).rows.map(({ values: v }) => ({
    section: v.section!.trim(),
    name: v.name_kvk_apollor!.trim(),
    cbsName: v.name_cbs_statline!.trim(),
    divisions: v.sbi_divisions_in_kvk_list!.split(',').map((d) => d.trim().padStart(2, '0')),
  }));
  const codes = new Map<string, SbiCode>();
  for (const { line, values: v } of csvObjects(codesCsv).rows) {
    const code = normaliseSbiCode(v.sbi_code_txt ?? '');
    if (!code) throw new Error(`SBI reference line ${line}: bad code "${v.sbi_code_txt}"`);
    codes.set(code, {
      code,
      dotted: dottedSbiCode(code),
      description: v.sbi_omschrijving!.trim(),
      level: LEVELS[code.length as 2 | 3 | 4 | 5],
      division: code.slice(0, 2),
      section: v.afdeling!.trim(),
      version: 'SBI2008',
    });
  }
  return { version: 'SBI2008', sections, codes };
}

let cached: SbiReference | undefined;

/** The shipped SBI 2008 reference, read once. */
export function sbiReference(): SbiReference {
  cached ??= parseSbiReference(
    readFileSync(`${SBI_DIR}${SBI_FILES.codes}`, 'utf8'),
    readFileSync(`${SBI_DIR}${SBI_FILES.sections}`, 'utf8'),
  );
  return cached;
}

export type SbiLookup =
  | { ok: true; code: SbiCode }
  | { ok: false; reason: string };

/**
 * Validates an activity code against the reference of its version. Only SBI 2008 is shipped, so
 * a 2025 code is reported as unverifiable rather than silently mapped to a 2008 section.
 */
export function lookupSbi(raw: string, version: string = DEFAULT_SBI_VERSION, ref: SbiReference = sbiReference()): SbiLookup {
  if (!(SBI_VERSIONS as readonly string[]).includes(version)) {
    return { ok: false, reason: `unknown SBI classification version "${version}" (expected ${SBI_VERSIONS.join(' or ')})` };
  }
  if (version !== ref.version) {
    return { ok: false, reason: `SBI code ${raw} is ${version}; only the ${ref.version} reference is shipped` };
  }
  const code = normaliseSbiCode(raw);
  if (!code) return { ok: false, reason: `malformed SBI code "${raw}" (expected 2-5 digits, dots allowed)` };
  const found = ref.codes.get(code);
  if (!found) return { ok: false, reason: `unknown SBI code ${dottedSbiCode(code)} in ${ref.version}` };
  return { ok: true, code: found };
}

/** Section letter of a division (first two digits) in SBI 2008; undefined for unused divisions. */
export function sectionOfDivision(division: string, ref: SbiReference = sbiReference()): string | undefined {
  return ref.sections.find((s) => s.divisions.includes(division.padStart(2, '0')))?.section;
}

export function sbiSection(section: string, ref: SbiReference = sbiReference()): SbiSection | undefined {
  return ref.sections.find((s) => s.section === section);
}
