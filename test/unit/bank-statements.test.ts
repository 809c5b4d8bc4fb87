import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { betalingskenmerkCheckDigit, isBetalingskenmerk, isIban, isRfReference, structuredIn } from '../../src/feeds/bank-statements/references.js';
import { codeWords, parseMt940 } from '../../src/feeds/bank-statements/mt940.js';
import { parseCamt053, StatementFormatError } from '../../src/feeds/bank-statements/camt053.js';
import { money } from '../../src/feeds/bank-statements/amounts.js';
import { receiptsOf } from '../../src/feeds/bank-statements/ingest.js';

const FIX = resolve(import.meta.dirname, '../fixtures/bank-statements');

describe('payment references', () => {
  it('checks ISO 11649 creditor references (mod 97) with or without spaces', () => {
    // The ISO 11649 example and the fixture's reference for invoice 2024008.
    expect(isRfReference('RF18 5390 0754 7034')).toBe(true);
    expect(isRfReference('RF36 2024 008')).toBe(true);
    expect(isRfReference('RF37 2024 008')).toBe(false);
    expect(isRfReference('RF3620240080000000000000000')).toBe(false); // over 25 characters
  });

  it('checks Dutch betalingskenmerken (Currence, weights 2,4,8,5,10,9,7,3,6,1 from the right)', () => {
    expect(betalingskenmerkCheckDigit('000000002024001')).toBe(1);
    expect(isBetalingskenmerk('1000000002024001')).toBe(true);
    expect(isBetalingskenmerk('1000 0000 0202 4001')).toBe(true);
    expect(isBetalingskenmerk('3000000002024001')).toBe(false);
    expect(isBetalingskenmerk('100000000202400')).toBe(false);
  });

  it('takes a structured reference written as the whole free text, nothing else', () => {
    expect(structuredIn('1000000002024001')).toBe('1000000002024001');
    expect(structuredIn('Factuur 2024001')).toBeUndefined();
    expect(isIban('NL91 ABNA 0417 1643 00')).toBe(true);
    expect(isIban('NL92ABNA0417164300')).toBe(false);
  });

  it('reads amounts exactly, refusing sub-cent values', () => {
    expect(money('1210')).toBe('1210.00');
    expect(money('000000000098,99', true)).toBe('98.99');
    expect(money('203,', true)).toBe('203.00');
    expect(money('10.500')).toBe('10.50');
    expect(money('10.505')).toBeUndefined();
    expect(money('1e3')).toBeUndefined();
  });
});

describe('MT940 :86: code words', () => {
  it('splits ING, Rabobank and ABN AMRO fields, keeping slashes inside values', () => {
    const ing = codeWords('/EREF/NOTPROVIDED//CNTP/NL39RABO0300065264/RABONL2U/SMIT TRANSPORT BV/ROTTERDAM///REMI/USTD//termijn maart/');
    expect(ing.get('CNTP')).toBe('NL39RABO0300065264/RABONL2U/SMIT TRANSPORT BV/ROTTERDAM');
    expect(ing.get('REMI')).toBe('USTD//termijn maart');
    const rabo = codeWords('/ORDP//NAME/Bedrijf B.V./REMI/NR.201303-111/11.3.2013/CDTRREFTP//CD/SCOR/ISSR/CUR/CDTRREF/1000000002024001/ISDT/2013-04-03');
    expect(rabo.get('NAME')).toBe('Bedrijf B.V.');
    expect(rabo.get('REMI')).toBe('NR.201303-111/11.3.2013');
    expect(rabo.get('CDTRREF')).toBe('1000000002024001');
    const abn = codeWords('/TRTP/SEPA OVERBOEKING/IBAN/NL12TRIO0198765432/BIC/TRIONL2U/NAME/DRUKKERIJ JANSEN BV/REMI/fact 2024010/EREF/JANSEN-0314');
    expect([abn.get('TRTP'), abn.get('IBAN'), abn.get('NAME'), abn.get('REMI'), abn.get('EREF')]).toEqual(['SEPA OVERBOEKING', 'NL12TRIO0198765432', 'DRUKKERIJ JANSEN BV', 'fact 2024010', 'JANSEN-0314']);
    expect(codeWords('BEA 23.06.09/22.22 VILLA DORIA SCHOTEN,PAS590').size).toBe(0);
  });

  it('reads an ING statement: entry dates across a year end, reversals, debits, wrapped :86:', () => {
    const p = parseMt940([':20:P1', ':25:NL47INGB0574908765EUR', ':60F:C231229EUR0,00',
      ':61:2312290102C10,00NTRFNONREF//A1', ':86:/CNTP/NL91ABNA0417164300/ABNANL2A/BAKKERIJ DE KORENSCHOO', 'F/UTRECHT///REMI/USTD//Factuur 2024001/',
      ':61:240102RD5,00NDDTEREF//A2', ':86:/RTRN/MS02/', ':62F:C240102EUR5,00', '-}'].join('\n'));
    expect(p.format).toBe('MT940 (ING)');
    const [a, b] = p.lines;
    expect(a).toMatchObject({ valueDate: '2023-12-29', bookingDate: '2024-01-02', amount: '10.00', direction: 'credit', counterpartyName: 'BAKKERIJ DE KORENSCHOOF', remittance: 'Factuur 2024001', bankReference: 'A1', currency: 'EUR' });
    expect(b).toMatchObject({ reversal: true, direction: 'debit' });
    const r = receiptsOf(p);
    expect([r.rows.length, r.reversals, r.debits]).toEqual([1, 1, 0]);
  });

  it('refuses a text that is no MT940', () => {
    expect(() => parseMt940('hello')).toThrow(StatementFormatError);
  });
});

describe('CAMT.053', () => {
  it('splits a batch into its transactions and leaves pending entries out', () => {
    const p = parseCamt053(readFileSync(join(FIX, 'ing-camt053-2024-02.xml')));
    expect(p.format).toBe('camt.053.001.02');
    expect(p.lines.map((l) => `${l.direction} ${l.amount} ${l.endToEndId ?? ''}`)).toEqual(['credit 1210.00 ', 'credit 1815.00 VDIJK-BETAL-0131-07', 'debit 5000.00 INKOOP-2024-0117', 'credit 121.00 2024015', 'credit 242.00 2024016']);
    expect(p.warnings).toEqual(['1 entry not booked (status PDNG/INFO) left out: only booked entries are money received']);
  });

  it('reads the .08 layout (Sts/Cd, Dbtr/Pty/Nm, TxDtls/Amt)', () => {
    const p = parseCamt053(readFileSync(join(FIX, 'rabobank-camt053-2024-02.xml')));
    expect(p.format).toBe('camt.053.001.08');
    expect(p.lines[0]).toMatchObject({ counterpartyName: 'Hoveniersbedrijf Groen B.V.', creditorReference: 'RF362024008', amount: '484.00', valueDate: '2024-02-12' });
  });

  it('refuses external entities and other XML than a statement', () => {
    expect(() => parseCamt053(Buffer.from('<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Document/>'))).toThrow(/DOCTYPE declarations are not allowed/);
    expect(() => parseCamt053(Buffer.from('<Invoice/>'))).toThrow(/not a camt.053 bank statement/);
  });
});
