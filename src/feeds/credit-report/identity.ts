/**
 * Company identifiers and their resolution to one company key. KvK number (+ branch), VAT number,
 * D-U-N-S and provider ids can each identify a company; a report may carry any subset. Keys are
 * stable: the first identifier that introduced a company names it, and later reports that share any
 * identifier get the same key, so history is never re-keyed.
 */
import { grown, StringTable } from './string-table.js';

export const ID_TYPES = ['kvk', 'vat', 'duns', 'creditsafe', 'graydon', 'dnb', 'provider'] as const;
export type IdType = (typeof ID_TYPES)[number];

export type Checked = { ok: true; value: string } | { ok: false; reason: string };

/** KvK number: exactly 8 digits (spaces and dots as typed are tolerated, nothing else). */
export function checkKvk(raw: string): Checked {
  const v = raw.trim().replace(/[\s.]/g, '');
  if (/^\d{8}$/.test(v)) return { ok: true, value: v };
  if (/^\d{7}$/.test(v)) return { ok: false, reason: `KvK number "${raw}" has 7 digits (a leading zero lost in a spreadsheet?); expected 8` };
  return { ok: false, reason: `KvK number "${raw}" is not 8 digits` };
}

/** Vestigingsnummer (branch number): exactly 12 digits. */
export function checkBranch(raw: string): Checked {
  const v = raw.trim().replace(/[\s.]/g, '');
  return /^\d{12}$/.test(v) ? { ok: true, value: v } : { ok: false, reason: `branch number (vestigingsnummer) "${raw}" is not 12 digits` };
}

/** D-U-N-S: 9 digits, often printed as 12-345-6789. */
export function checkDuns(raw: string): Checked {
  const v = raw.trim().replace(/[\s-]/g, '');
  return /^\d{9}$/.test(v) ? { ok: true, value: v } : { ok: false, reason: `D-U-N-S "${raw}" is not 9 digits` };
}

/** VAT id: country prefix + national part; Dutch ids must be NL + 9 digits + B + 2 digits. */
export function checkVat(raw: string): Checked {
  const v = raw.trim().toUpperCase().replace(/[\s.-]/g, '');
  if (v.startsWith('NL')) {
    return /^NL\d{9}B\d{2}$/.test(v) ? { ok: true, value: v } : { ok: false, reason: `Dutch VAT number "${raw}" is not NL + 9 digits + B + 2 digits` };
  }
  return /^[A-Z]{2}[0-9A-Z+*]{2,12}$/.test(v) ? { ok: true, value: v } : { ok: false, reason: `VAT number "${raw}" is malformed` };
}

export interface CompanyIds {
  kvk?: string;
  branch?: string;
  vat?: string;
  duns?: string;
  /** Provider's own company id, e.g. Creditsafe `connectId`, Graydon id. */
  provider?: { provider: string; id: string };
}

export interface Identifier {
  id_type: IdType;
  id_value: string;
}

export interface IdentifierRow extends Identifier {
  company_key: string;
}

/** Validated identifiers of one record, strongest first; the first invalid one is a reject reason. */
export function identifiersOf(ids: CompanyIds): { ok: true; ids: Identifier[]; branch?: string } | { ok: false; reason: string } {
  const out: Identifier[] = [];
  let branch: string | undefined;
  if (ids.kvk) {
    const k = checkKvk(ids.kvk);
    if (!k.ok) return k;
    out.push({ id_type: 'kvk', id_value: k.value });
  }
  if (ids.branch) {
    const b = checkBranch(ids.branch);
    if (!b.ok) return b;
    branch = b.value;
  }
  if (ids.vat) {
    const v = checkVat(ids.vat);
    if (!v.ok) return v;
    out.push({ id_type: 'vat', id_value: v.value });
  }
  if (ids.duns) {
    const d = checkDuns(ids.duns);
    if (!d.ok) return d;
    out.push({ id_type: 'duns', id_value: d.value });
  }
  if (ids.provider?.id.trim()) {
    const p = ids.provider.provider.toLowerCase();
    const type: IdType = (ID_TYPES as readonly string[]).includes(p) ? (p as IdType) : 'provider';
    out.push({ id_type: type, id_value: type === 'provider' ? `${p}:${ids.provider.id.trim()}` : ids.provider.id.trim() });
  }
  if (out.length === 0) return { ok: false, reason: 'no company identifier (KvK number, VAT number, D-U-N-S or provider id)' };
  return { ok: true, ids: out, branch };
}

/** Key a new company gets from its strongest identifier, e.g. `NL-KVK-12345678`, `DUNS-123456789`. */
export function keyFor(id: Identifier): string {
  switch (id.id_type) {
    case 'kvk':
      return `NL-KVK-${id.id_value}`;
    case 'vat':
      return `VAT-${id.id_value}`;
    case 'duns':
      return `DUNS-${id.id_value}`;
    default:
      return `${id.id_type.toUpperCase()}-${id.id_value}`;
  }
}

const TAG = new Map<IdType, number>(ID_TYPES.map((t, i) => [t, i + 1]));
const tagOf = (t: IdType) => TAG.get(t) ?? 0;

/**
 * Resolves identifiers to company keys against what the lake already knows plus what this batch
 * added. Two identifiers that already belong to different companies are a conflict (reported, not
 * merged: merging would silently re-key history).
 *
 * Held in typed arrays (./string-table.ts), not in the V8 heap: the 100M-invoice feed's 11.2M
 * identifiers and 3.8M companies ran a Map of them out of JavaScript heap. About 40 bytes an
 * identifier and 35 a company there (characters and growth slack included): some 600 MB in all.
 */
export class CompanyIdentityIndex {
  /** Company keys that some identifier resolves to, numbered. */
  private readonly keys = new StringTable();
  /** Identifiers as (tag of the type, value), numbered in the order first seen. */
  private readonly ids = new StringTable();
  /** Company number of identifier n. */
  private companyOf = new Uint32Array(1 << 12);
  /** Identifiers numbered below this came from the lake (the constructor, `seed`); the rest were added. */
  private seeded = 0;

  constructor(known: Iterable<IdentifierRow> = []) {
    for (const r of known) this.seed(r);
  }

  /**
   * Adds an identifier the lake already holds (loading the known state); all seeds come before any
   * `register`. A repeated identifier takes the later key, as the index's rows are read in order.
   */
  seed(r: IdentifierRow): void {
    this.put(r, this.keys.add(r.company_key));
    this.seeded = this.ids.size;
  }

  private put(i: Identifier, company: number): void {
    const n = this.ids.add(i.id_value, tagOf(i.id_type));
    if (n >= this.companyOf.length) this.companyOf = grown(this.companyOf, this.companyOf.length * 2);
    this.companyOf[n] = company;
  }

  private companyNumber(i: Identifier): number {
    const n = this.ids.find(i.id_value, tagOf(i.id_type));
    return n < 0 ? -1 : this.companyOf[n]!;
  }

  /** The key these identifiers resolve to, without recording anything (see `register`). */
  lookup(ids: Identifier[]): { ok: true; key: string; isNew: boolean } | { ok: false; reason: string } {
    let found = -1;
    let conflict: Set<number> | undefined;
    for (const i of ids) {
      const c = this.companyNumber(i);
      if (c < 0 || c === found) continue;
      if (found < 0) found = c;
      else (conflict ??= new Set([found])).add(c);
    }
    if (conflict) {
      const keys = [...conflict].map((c) => this.keys.get(c));
      return { ok: false, reason: `identifiers belong to different companies (${keys.sort().join(', ')}): ${ids.map((i) => `${i.id_type} ${i.id_value}`).join(', ')}` };
    }
    const isNew = found < 0;
    return { ok: true, key: isNew ? keyFor(ids[0]!) : this.keys.get(found), isNew };
  }

  /** Records identifiers not seen before under `key`. */
  register(ids: Identifier[], key: string): void {
    let company = -1;
    for (const i of ids) {
      if (this.companyNumber(i) >= 0) continue;
      if (company < 0) company = this.keys.add(key);
      this.put(i, company);
    }
  }

  resolve(ids: Identifier[]): { ok: true; key: string; isNew: boolean } | { ok: false; reason: string } {
    const r = this.lookup(ids);
    if (r.ok) this.register(ids, r.key);
    return r;
  }

  /** How many identifiers are known (a mark for `rowsFrom`). */
  get size(): number {
    return this.ids.size;
  }

  /** Identifiers numbered `from` and later, in the order they were first seen. */
  *rowsFrom(from: number): Generator<IdentifierRow> {
    for (let n = from; n < this.ids.size; n++) {
      yield { id_type: ID_TYPES[this.ids.tagOf(n) - 1]!, id_value: this.ids.get(n), company_key: this.keys.get(this.companyOf[n]!) };
    }
  }

  /** Identifiers first seen in this batch (not seeded from the lake), in the order seen. */
  get added(): IdentifierRow[] {
    return [...this.rowsFrom(this.seeded)];
  }

  /** Every identifier known, with its company key. */
  rows(): IdentifierRow[] {
    return [...this.rowsFrom(0)];
  }

  hasKey(key: string): boolean {
    return this.keys.has(key);
  }

  /** A number for the company `key` names (0, 1, …), or -1 when no identifier resolves to it. */
  companyId(key: string): number {
    return this.keys.find(key);
  }

  keyOf(id: Identifier): string | undefined {
    const c = this.companyNumber(id);
    return c < 0 ? undefined : this.keys.get(c);
  }

  /** Memory held (typed arrays). */
  get bytes(): number {
    return this.keys.bytes + this.ids.bytes + this.companyOf.byteLength;
  }
}
