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
    // RD (SWIFT: the reversal of a debit, a credit entry) is a debit here: the balances say so
    // (0 + 10 − 5 = 5), so it is read as ING writes it, a returned direct debit.
    expect(b).toMatchObject({ reversal: true, direction: 'debit', returned: true, returnReason: 'MS02' });
    expect(p.warnings).toEqual([expect.stringMatching(/reversal marks read as the direction of the entry/)]);
    const r = receiptsOf(p);
    expect([r.rows.length, r.reversals, r.debits, r.returns]).toEqual([2, 0, 0, 1]);
    expect(r.rows[1]).toMatchObject({ amount: '-5.00', remittance_info: 'returned (MS02)' });
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

describe('returned receipts', () => {
  it('MT940: RC is a returned receipt when the balances read it as SWIFT defines it (a debit entry)', () => {
    const p = parseMt940([':20:R1', ':25:NL47INGB0574908765EUR', ':60F:C240301EUR100,00',
      ':61:2403050305C50,00NDDTEREF//B1', ':86:/EREF/INC-7//CNTP/NL12TRIO0198765432/TRIONL2U/JANSEN BV///REMI/USTD//Incasso maart/',
      ':61:2403080308RC50,00NDDTEREF//B2', ':86:/RTRN/AM04//EREF/INC-7//CNTP/NL12TRIO0198765432/TRIONL2U/JANSEN BV///REMI/USTD//Incasso maart/',
      ':62F:C240308EUR100,00', '-}'].join('\n'));
    expect(p.warnings).toEqual([]);
    expect(p.lines[1]).toMatchObject({ direction: 'debit', reversal: true, returned: true, returnReason: 'AM04', endToEndId: 'INC-7', counterpartyIban: 'NL12TRIO0198765432' });
    const r = receiptsOf(p);
    expect(r.rows.map((x) => [x.amount, x.end_to_end_id, x.remittance_info])).toEqual([
      ['50.00', 'INC-7', 'Incasso maart'],
      ['-50.00', 'INC-7', 'returned (AM04): Incasso maart'],
    ]);
    expect([r.returns, r.reversals, r.debits]).toEqual([1, 0, 0]);
  });

  it('MT940: RD (the reversal of a debit, a credit entry) is no receipt', () => {
    const p = parseMt940([':20:R2', ':25:NL47INGB0574908765EUR', ':60F:C240301EUR0,00', ':61:2403080308RD30,00NDDTNONREF//B3', ':86:/RTRN/MD06/', ':62F:C240308EUR30,00', '-}'].join('\n'));
    expect(p.lines[0]).toMatchObject({ direction: 'credit', reversal: true, returned: false });
    expect([receiptsOf(p).rows.length, receiptsOf(p).reversals]).toEqual([0, 1]);
  });

  it('CAMT.053: an unpaid direct debit (DBIT, IDDT/UPDD, RtrInf) is a returned receipt of the original debtor', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-03-09T06:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S1</Id><Acct><Id><IBAN>NL47INGB0574908765</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Ntry><Amt Ccy="EUR">242.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2024-03-08</Dt></BookgDt><ValDt><Dt>2024-03-08</Dt></ValDt>
<AcctSvcrRef>240308000012345</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>2024016</EndToEndId><MndtId>MND-C500-03</MndtId></Refs>
<AmtDtls><TxAmt><Amt Ccy="EUR">242.00</Amt></TxAmt></AmtDtls>
<RltdPties><Dbtr><Nm>Drukkerij Jansen B.V.</Nm></Dbtr><DbtrAcct><Id><IBAN>NL12TRIO0198765432</IBAN></Id></DbtrAcct>
<Cdtr><Nm>Own company B.V.</Nm></Cdtr><CdtrAcct><Id><IBAN>NL47INGB0574908765</IBAN></Id></CdtrAcct></RltdPties>
<RmtInf><Ustrd>Incasso drukwerk januari</Ustrd></RmtInf>
<RtrInf><Rsn><Cd>MS02</Cd></Rsn></RtrInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>`;
    const p = parseCamt053(new TextEncoder().encode(xml));
    expect(p.lines[0]).toMatchObject({ direction: 'debit', returned: true, returnReason: 'MS02', counterpartyIban: 'NL12TRIO0198765432', counterpartyName: 'Drukkerij Jansen B.V.', endToEndId: '2024016' });
    const r = receiptsOf(p);
    expect(r.rows).toMatchObject([{ amount: '-242.00', payer_iban: 'NL12TRIO0198765432', remittance_info: 'returned (MS02): Incasso drukwerk januari', end_to_end_id: '2024016' }]);
  });
});
