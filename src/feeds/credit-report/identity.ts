/**
 * Company identifiers and their resolution to one company key. KvK number (+ branch), VAT number,
 * D-U-N-S and provider ids can each identify a company; a report may carry any subset. Keys are
 * stable: the first identifier that introduced a company names it, and later reports that share any
 * identifier get the same key, so history is never re-keyed.
 */
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

const token = (i: Identifier) => `${i.id_type}\u0000${i.id_value}`;

/**
 * Resolves identifiers to company keys against what the lake already knows plus what this batch
 * added. Two identifiers that already belong to different companies are a conflict (reported, not
 * merged: merging would silently re-key history).
 */
export class CompanyIdentityIndex {
  private readonly byToken = new Map<string, string>();
  private readonly keys = new Set<string>();
  /** Identifiers first seen in this batch, to be written beside the reports. */
  readonly added: IdentifierRow[] = [];

  constructor(known: Iterable<IdentifierRow> = []) {
    for (const r of known) {
      this.byToken.set(token(r), r.company_key);
      this.keys.add(r.company_key);
    }
  }

  /** The key these identifiers resolve to, without recording anything (see `register`). */
  lookup(ids: Identifier[]): { ok: true; key: string; isNew: boolean } | { ok: false; reason: string } {
    const keys = new Set<string>();
    for (const i of ids) {
      const k = this.byToken.get(token(i));
      if (k) keys.add(k);
    }
    if (keys.size > 1) {
      return { ok: false, reason: `identifiers belong to different companies (${[...keys].sort().join(', ')}): ${ids.map((i) => `${i.id_type} ${i.id_value}`).join(', ')}` };
    }
    const isNew = keys.size === 0;
    return { ok: true, key: isNew ? keyFor(ids[0]!) : [...keys][0]!, isNew };
  }

  /** Records identifiers not seen before under `key`. */
  register(ids: Identifier[], key: string): void {
    for (const i of ids) {
      if (!this.byToken.has(token(i))) {
        this.byToken.set(token(i), key);
        this.keys.add(key);
        this.added.push({ ...i, company_key: key });
      }
    }
  }

  resolve(ids: Identifier[]): { ok: true; key: string; isNew: boolean } | { ok: false; reason: string } {
    const r = this.lookup(ids);
    if (r.ok) this.register(ids, r.key);
    return r;
  }

  /** Every identifier known, with its company key. */
  rows(): IdentifierRow[] {
    return [...this.byToken].map(([t, company_key]) => {
      const [id_type, id_value] = t.split('\u0000') as [IdType, string];
      return { id_type, id_value, company_key };
    });
  }

  hasKey(key: string): boolean {
    return this.keys.has(key);
  }

  keyOf(id: Identifier): string | undefined {
    return this.byToken.get(token(id));
  }
}
