import { DuckDBInstance } from '@duckdb/node-api';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { betalingskenmerkCheckDigit } from '../../src/feeds/bank-statements/references.js';

/** One credit of a camt.053 statement written by camt053(). */
export interface Credit {
  date: string;
  amount: string;
  iban: string;
  name: string;
  ustrd?: string;
  kenmerk?: string;
  ref: string;
  /** End-to-end reference (default NOTPROVIDED): a returned receipt carries its original's. */
  e2e?: string;
  /** A returned receipt (a direct debit the payer's bank returned): a DBIT entry with this return reason. */
  returnReason?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A camt.053.001.02 statement of credits, laid out as ING delivers it. */
export function camt053(account: string, credits: readonly Credit[]): string {
  const entries = credits.map((c) => `      <Ntry>
        <Amt Ccy="EUR">${c.amount}</Amt>
        <CdtDbtInd>${c.returnReason ? 'DBIT' : 'CRDT'}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>${c.date}</Dt></BookgDt>
        <ValDt><Dt>${c.date}</Dt></ValDt>
        <AcctSvcrRef>${c.ref}</AcctSvcrRef>
        <NtryDtls>
          <TxDtls>
            <Refs><AcctSvcrRef>${c.ref}</AcctSvcrRef><EndToEndId>${c.e2e ?? 'NOTPROVIDED'}</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">${c.amount}</Amt></TxAmt></AmtDtls>
            <RltdPties>
              <Dbtr><Nm>${esc(c.name)}</Nm></Dbtr>
              <DbtrAcct><Id><IBAN>${c.iban}</IBAN></Id></DbtrAcct>
            </RltdPties>
            <RmtInf>${c.ustrd ? `<Ustrd>${esc(c.ustrd)}</Ustrd>` : ''}${c.kenmerk ? `<Strd><CdtrRefInf><Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry><Issr>CUR</Issr></Tp><Ref>${c.kenmerk}</Ref></CdtrRefInf></Strd>` : ''}</RmtInf>${c.returnReason ? `
            <RtrInf><Rsn><Cd>${c.returnReason}</Cd></Rsn></RtrInf>` : ''}
          </TxDtls>
        </NtryDtls>
      </Ntry>`);
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>TEST-${account}</MsgId><CreDtTm>2024-01-01T06:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>${account}-TEST</Id>
      <Acct><Id><IBAN>${account}</IBAN></Id><Ccy>EUR</Ccy></Acct>
${entries.join('\n')}
    </Stmt>
  </BkToCstmrStmt>
</Document>
`;
}

/** The Dutch betalingskenmerk a creditor prints for an invoice number: check digit + 15 digits. */
export function kenmerkFor(documentId: string): string {
  const body = documentId.replace(/\D/g, '').padStart(15, '0').slice(-15);
  return `${betalingskenmerkCheckDigit(body)}${body}`;
}

/**
 * A bank statement that pays open invoices of a generated ledger (its CSVs in `dataDir`) by every
 * matching rule: a betalingskenmerk, an invoice number in the text, a partial payment, a unique
 * amount from an IBAN an earlier receipt made known, a receipt from an unknown payer, and a returned
 * receipt (a direct debit returned with reason MD06) that re-opens the invoice it paid. Written to
 * `<dataDir>/bank-statement.xml`; returns its path.
 */
export async function bankStatementForLedger(dataDir: string): Promise<string> {
  const inst = await DuckDBInstance.create(':memory:');
  const conn = await inst.connect();
  try {
    const csv = (t: string) => `read_csv('${join(dataDir, `${t}.csv`)}', all_varchar = true, header = true)`;
    const rows = (await conn.runAndReadAll(`
      WITH paid AS (SELECT document_id, sum(CAST(amount AS DECIMAL(18,2))) AS paid FROM ${csv('payment_allocations')} GROUP BY document_id),
      open AS (
        SELECT i.document_id, i.customer_id, i.invoice_date, CAST(CAST(i.amount AS DECIMAL(18,2)) - COALESCE(p.paid, 0) AS VARCHAR) AS open_amount
        FROM ${csv('invoices')} i LEFT JOIN paid p ON p.document_id = i.document_id
        WHERE i.document_type = 'invoice' AND (i.settled_date IS NULL OR i.settled_date = '')
          AND i.currency = 'EUR' AND CAST(i.amount AS DECIMAL(18,2)) - COALESCE(p.paid, 0) > 0
          AND i.document_id NOT IN (SELECT corrects_document_id FROM ${csv('invoices')} WHERE corrects_document_id IS NOT NULL)
      ),
      -- customers with at least three open invoices of different amounts
      picked AS (
        SELECT customer_id FROM open GROUP BY customer_id
        HAVING count(*) >= 3 AND count(DISTINCT open_amount) = count(*)
        ORDER BY customer_id LIMIT 2
      )
      SELECT o.* FROM open o JOIN picked USING (customer_id) ORDER BY o.customer_id, o.invoice_date, o.document_id`)).getRowObjects() as Record<string, string>[];
    const customers = [...new Set(rows.map((r) => r.customer_id))];
    if (customers.length < 2) throw new Error('the generated ledger has too few open invoices for a bank statement');
    const [a, b] = customers.map((c) => rows.filter((r) => r.customer_id === c));
    const last = rows.map((r) => r.invoice_date!).sort().at(-1)!;
    const day = (n: number) => new Date(Date.parse(`${last}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
    const half = (x: string) => (Math.round(Number(x) * 50) / 100).toFixed(2);
    const credits: Credit[] = [
      { date: day(1), amount: a![0]!.open_amount!, iban: 'NL91ABNA0417164300', name: 'Klant A B.V.', kenmerk: kenmerkFor(a![0]!.document_id!), ref: 'T0001' },
      { date: day(2), amount: b![0]!.open_amount!, iban: 'NL36INGB0007654321', name: 'Klant B B.V.', ustrd: `Factuur ${b![0]!.document_id} dank u`, ref: 'T0002', e2e: 'KLANTB-1' },
      { date: day(3), amount: b![1]!.open_amount!, iban: 'NL36INGB0007654321', name: 'Klant B B.V.', ustrd: 'betaling', ref: 'T0003' },
      { date: day(4), amount: half(a![1]!.open_amount!), iban: 'NL91ABNA0417164300', name: 'Klant A B.V.', ustrd: `${a![1]!.document_id} deelbetaling`, ref: 'T0004' },
      { date: day(5), amount: '1234.56', iban: 'NL39RABO0300065264', name: 'Onbekend B.V.', ustrd: 'termijn', ref: 'T0005' },
      // Klant B's first payment comes back (a returned direct debit): the invoice it paid is open again.
      { date: day(6), amount: b![0]!.open_amount!, iban: 'NL36INGB0007654321', name: 'Klant B B.V.', ustrd: `Factuur ${b![0]!.document_id} dank u`, ref: 'T0006', e2e: 'KLANTB-1', returnReason: 'MD06' },
    ];
    const file = join(dataDir, 'bank-statement.xml');
    writeFileSync(file, camt053('NL47INGB0574908765', credits));
    return file;
  } finally {
    conn.closeSync();
    inst.closeSync();
  }
}
