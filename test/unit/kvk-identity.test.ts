import { describe, expect, it } from 'vitest';
import { CompanyIdentityIndex, checkBranch, checkDuns, checkKvk, checkVat, identifiersOf } from '../../src/feeds/credit-report/identity.js';

describe('KvK and other identifiers', () => {
  it('accepts 8-digit KvK numbers and rejects others with a reason', () => {
    expect(checkKvk('12345678')).toEqual({ ok: true, value: '12345678' });
    expect(checkKvk(' 0123 4567 ')).toEqual({ ok: true, value: '01234567' });
    const seven = checkKvk('1234567');
    expect(seven.ok).toBe(false);
    expect(!seven.ok && seven.reason).toMatch(/7 digits/);
    for (const bad of ['123456789', '1234567a', '', 'NL12345678']) expect(checkKvk(bad).ok, bad).toBe(false);
  });

  it('checks branch numbers (12 digits), D-U-N-S (9 digits) and VAT numbers', () => {
    expect(checkBranch('000012345678').ok).toBe(true);
    expect(checkBranch('12345678').ok).toBe(false);
    expect(checkDuns('12-345-6789')).toEqual({ ok: true, value: '123456789' });
    expect(checkDuns('1234567890').ok).toBe(false);
    expect(checkVat('nl123456789b01')).toEqual({ ok: true, value: 'NL123456789B01' });
    expect(checkVat('NL12345678B01').ok).toBe(false);
    expect(checkVat('DE123456789').ok).toBe(true);
  });

  it('resolves KvK, VAT, D-U-N-S and provider ids of one company to one stable key', () => {
    const index = new CompanyIdentityIndex();
    const ids = (x: Parameters<typeof identifiersOf>[0]) => {
      const r = identifiersOf(x);
      if (!r.ok) throw new Error(r.reason);
      return r.ids;
    };
    const a = index.resolve(ids({ duns: '123456789' }));
    expect(a).toEqual({ ok: true, key: 'DUNS-123456789', isNew: true });
    // A later report links KvK and D-U-N-S: same key, not re-keyed to the KvK number.
    expect(index.resolve(ids({ kvk: '12345678', duns: '123456789' }))).toEqual({ ok: true, key: 'DUNS-123456789', isNew: false });
    expect(index.resolve(ids({ kvk: '12345678', provider: { provider: 'creditsafe', id: 'NL-X-1' } }))).toMatchObject({ key: 'DUNS-123456789' });
    expect(index.resolve(ids({ provider: { provider: 'Creditsafe', id: 'NL-X-1' } }))).toMatchObject({ key: 'DUNS-123456789' });
    expect(index.resolve(ids({ kvk: '87654321' }))).toEqual({ ok: true, key: 'NL-KVK-87654321', isNew: true });
    const conflict = index.resolve(ids({ kvk: '87654321', duns: '123456789' }));
    expect(conflict.ok).toBe(false);
    expect(!conflict.ok && conflict.reason).toMatch(/different companies/);
    expect(index.added.map((r) => `${r.id_type}:${r.id_value}>${r.company_key}`)).toEqual([
      'duns:123456789>DUNS-123456789',
      'kvk:12345678>DUNS-123456789',
      'creditsafe:NL-X-1>DUNS-123456789',
      'kvk:87654321>NL-KVK-87654321',
    ]);
  });

  it('seeds from identifiers already in the lake and needs at least one identifier', () => {
    const index = new CompanyIdentityIndex([{ id_type: 'vat', id_value: 'NL123456789B01', company_key: 'VAT-NL123456789B01' }]);
    const r = identifiersOf({ kvk: '11112222', vat: 'NL 1234.56789.B01' });
    expect(r.ok && index.resolve(r.ids)).toEqual({ ok: true, key: 'VAT-NL123456789B01', isNew: false });
    const none = identifiersOf({ branch: '000011112222' });
    expect(none.ok).toBe(false);
    expect(identifiersOf({ kvk: '123' }).ok).toBe(false);
  });
});
