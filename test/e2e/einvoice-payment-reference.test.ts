import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../helpers/cli.js';

// Issue 15: the payment reference an e-invoice asks the payer to quote (BT-83: UBL
// cac:PaymentMeans/cbc:PaymentID, CII PaymentReference) was not read, so a receipt quoting it as its
// structured reference could not be matched by it. Real SI-UBL 2.0 examples (test/fixtures/ubl,
// Simplerinvoicing, MIT) and a CAMT.053 receipt written from the published format.
const FIX = join(import.meta.dirname, '../fixtures/ubl/si-ubl');
const work = mkdtempSync(join(tmpdir(), 'creditlake-paymentid-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const lake = join(work, 'lake');

// One receipt of 729.00 that quotes TOSL108's PaymentID "Payref1" as its structured reference and
// names invoice 12115118 (open, 242.00) in its free text: the structured reference is matched first.
const CAMT = `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>ING-20150202-1</MsgId><CreDtTm>2015-02-02T06:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>NL69INGB0123456789-2015-02-01</Id>
      <Acct><Id><IBAN>NL69INGB0123456789</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Ntry>
        <Amt Ccy="EUR">729.00</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2015-02-01</Dt></BookgDt>
        <ValDt><Dt>2015-02-01</Dt></ValDt>
        <AcctSvcrRef>ING-20150201-0001</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
          <Amt Ccy="EUR">729.00</Amt>
          <CdtDbtInd>CRDT</CdtDbtInd>
          <RltdPties><Dbtr><Pty><Nm>Buyer</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>NL02ABNA0123456789</IBAN></Id></DbtrAcct></RltdPties>
          <RmtInf>
            <Ustrd>zie ook factuur 12115118</Ustrd>
            <Strd><CdtrRefInf><Ref>Payref1</Ref></CdtrRefInf></Strd>
          </RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;

beforeAll(async () => {
  mkdirSync(join(work, 'inbox'));
  for (const f of ['SI-UBL-2.0_ok_full.xml', 'SI-UBL-2.0_ok_minimal.xml']) copyFileSync(join(FIX, f), join(work, 'inbox', f));
  writeFileSync(join(work, 'statement.xml'), CAMT);
  const inv = await cli(work, 'ingest', 'inbox', '--lake', lake);
  expect(inv.code, inv.stdout + inv.stderr).toBe(0);
  const bank = await cli(work, 'ingest', '--feed', 'bank-statements', 'statement.xml', '--lake', lake);
  expect(bank.code, bank.stdout + bank.stderr).toBe(0);
  const build = await cli(work, 'build', '--select', '+bank_receipts', '--lake', lake);
  expect(build.code, build.stdout + build.stderr).toBe(0);
}, 600_000);

const csv = async (sql: string) => (await cli(work, 'query', sql, '--lake', lake, '--format', 'csv')).stdout.trim().split('\r\n');

describe('UBL PaymentID', () => {
  it('lands in invoices.payment_reference', async () => {
    expect(await csv('SELECT document_id, payment_reference FROM stg_invoices ORDER BY document_id')).toEqual([
      'document_id,payment_reference',
      '12115118,Deb. 10202 / Fact. 12115118',
      'TOSL108,Payref1',
    ]);
  });

  it('matches a receipt quoting it as its structured reference, before an invoice number in the text', async () => {
    expect(await csv('SELECT match_rule, customer_id, documents, matched_amount, unapplied_amount FROM bank_receipts')).toEqual([
      'match_rule,customer_id,documents,matched_amount,unapplied_amount',
      'creditor_reference,88884444,1,729.00,0.00',
    ]);
  });
});
