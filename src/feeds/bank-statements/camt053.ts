import { all, attr, first, MAX_XML_BYTES, parseUntrustedXml, text, UnsafeXmlError, type XmlNode, type XmlValue } from '../ubl/secure-xml.js';
import { isoDay, money } from './amounts.js';
import { compact, structuredIn } from './references.js';
import type { LineReject, StatementLine, StatementParse } from './types.js';

/**
 * ISO 20022 camt.053 (BankToCustomerStatement) as ING, Rabobank and ABN AMRO deliver it: versions
 * camt.053.001.02 up to .13. One receipt per transaction: a batch entry (NtryDtls with several TxDtls,
 * e.g. a SEPA direct-debit collection) is split into its transactions when they carry their own
 * amounts. Only booked entries count (Sts BOOK; pending and information entries are not money yet).
 * The XML is untrusted like an e-invoice: no DTD or entity, a size cap, values kept as text.
 */

export class StatementFormatError extends Error {}

const STATEMENT_VERSION = /camt\.053\.001\.(\d{2})/;

function nameOf(party: XmlValue | undefined): string | undefined {
  // .02-.07: Dbtr/Nm; .08 and later: Dbtr/Pty/Nm (a party or an agent).
  return first(party, 'Nm') ?? first(party, 'Pty', 'Nm');
}

function ibanOf(account: XmlValue | undefined): string | undefined {
  const iban = first(account, 'Id', 'IBAN');
  return iban ? iban.replace(/\s/g, '').toUpperCase() : undefined;
}

function statusOf(entry: XmlValue): string | undefined {
  // .02-.07: <Sts>BOOK</Sts>; .08 and later: <Sts><Cd>BOOK</Cd></Sts>.
  return first(entry, 'Sts') ?? first(entry, 'Sts', 'Cd') ?? first(entry, 'Sts', 'Prtry');
}

function amountOf(node: XmlValue | undefined): { value?: string; currency?: string; raw?: string } {
  const a = all(node, 'Amt')[0];
  return { value: text(a), currency: attr(a, 'Ccy'), raw: text(a) };
}

function remittanceOf(tx: XmlValue | undefined): { unstructured?: string; structured?: string } {
  const rmt = all(tx, 'RmtInf');
  const ustrd = all(rmt, 'Ustrd').map((u) => text(u)).filter((u): u is string => Boolean(u));
  const refs = all(rmt, 'Strd', 'CdtrRefInf', 'Ref').map((r) => text(r)).filter((r): r is string => Boolean(r));
  const unstructured = ustrd.length ? ustrd.join(' ') : undefined;
  const structured = refs[0] ? compact(refs[0]) : structuredIn(unstructured);
  return { unstructured, structured };
}

export function parseCamt053(bytes: Uint8Array): StatementParse {
  let doc: XmlNode;
  try {
    doc = parseUntrustedXml(bytes, MAX_XML_BYTES, 'bank statements');
  } catch (e) {
    if (e instanceof UnsafeXmlError) throw new StatementFormatError(e.message);
    throw e;
  }
  const root = all(doc, 'Document')[0];
  const stmtRoot = all(root, 'BkToCstmrStmt')[0];
  if (!stmtRoot) throw new StatementFormatError('not a camt.053 bank statement: no Document/BkToCstmrStmt');
  // The parser drops namespace declarations with the prefixes: the version is read from the text.
  const version = STATEMENT_VERSION.exec(new TextDecoder('latin1').decode(bytes.subarray(0, 4096)))?.[1];
  const format = version ? `camt.053.001.${version}` : 'camt.053';
  const lines: StatementLine[] = [];
  const rejects: LineReject[] = [];
  const warnings: string[] = [];
  let ordinal = 0;
  let pending = 0;
  all(stmtRoot, 'Stmt').forEach((stmt, si) => {
    const account = ibanOf(all(stmt, 'Acct')[0]) ?? first(stmt, 'Acct', 'Id', 'Othr', 'Id') ?? '';
    const statementId = first(stmt, 'Id') ?? `statement ${si + 1}`;
    const accountCcy = first(stmt, 'Acct', 'Ccy');
    all(stmt, 'Ntry').forEach((entry, ei) => {
      ordinal++;
      const where = `statement ${statementId}, entry ${ei + 1}`;
      const status = statusOf(entry);
      if (status && status !== 'BOOK') {
        pending++;
        return;
      }
      const direction = first(entry, 'CdtDbtInd');
      const reversal = first(entry, 'RvslInd') === 'true';
      const bookingDate = isoDay(first(entry, 'BookgDt', 'Dt') ?? first(entry, 'BookgDt', 'DtTm'));
      const valueDate = isoDay(first(entry, 'ValDt', 'Dt') ?? first(entry, 'ValDt', 'DtTm'));
      const entryRef = first(entry, 'AcctSvcrRef') ?? first(entry, 'NtryRef');
      const entryAmt = amountOf(entry);
      const raw = `<Ntry> ${where}: ${entryAmt.raw ?? ''} ${entryAmt.currency ?? ''} ${direction ?? ''} ${bookingDate ?? ''}`.trim();
      const reject = (column: string, reason: string, detail: string) => rejects.push({ line: ordinal, column, reason, detail: `${where}: ${detail}`, raw });
      if (direction !== 'CRDT' && direction !== 'DBIT') return reject('CdtDbtInd', 'credit/debit indicator missing', `CdtDbtInd "${direction ?? ''}"`);
      if (!bookingDate && !valueDate) return reject('BookgDt', 'no booking or value date', 'neither BookgDt nor ValDt holds a date');
      const txs = all(entry, 'NtryDtls', 'TxDtls');
      // A batch is split only when every transaction states its amount; otherwise it stays one receipt.
      const txAmounts = txs.map((tx) => {
        const a = amountOf(tx);
        return a.value !== undefined ? a : amountOf(all(tx, 'AmtDtls', 'TxAmt')[0]);
      });
      const split = txs.length > 1 && txAmounts.every((a) => a.value !== undefined);
      const parts = split ? txs.map((tx, i) => ({ tx, amt: txAmounts[i]! })) : [{ tx: txs.length === 1 ? txs[0] : undefined, amt: entryAmt }];
      parts.forEach(({ tx, amt }, ti) => {
        const amount = money(amt.value);
        const currency = amt.currency ?? entryAmt.currency ?? accountCcy;
        const at = split ? `${where}, transaction ${ti + 1}` : where;
        if (!amount) return rejects.push({ line: ordinal, column: 'Amt', reason: 'not an amount', detail: `${at}: Amt "${amt.raw ?? ''}"`, raw });
        if (!currency || !/^[A-Z]{3}$/.test(currency)) return rejects.push({ line: ordinal, column: 'Ccy', reason: 'currency not a 3-letter ISO 4217 code', detail: `${at}: Ccy "${currency ?? ''}"`, raw });
        const parties = all(tx, 'RltdPties');
        const credit = direction === 'CRDT';
        const family = first(entry, 'BkTxCd', 'Domn', 'Fmly', 'Cd');
        const subFamily = first(entry, 'BkTxCd', 'Domn', 'Fmly', 'SubFmlyCd');
        const rtrInf = all(tx, 'RtrInf')[0];
        // A debit undoing a receipt: reversal indicator, return information, or the code of an unpaid
        // or reversed direct debit the company collected (ISO bank transaction codes IDDT/UPDD, PRDD).
        const returned = !credit && (reversal || rtrInf !== undefined || (family === 'IDDT' && (subFamily === 'UPDD' || subFamily === 'PRDD')));
        // The counterparty is the debtor of a credit (who paid us) and the creditor of a debit; a
        // returned receipt keeps the parties of the collection it returns (the debtor is the customer).
        const debtorSide = credit || (returned && all(parties, 'Dbtr')[0] !== undefined);
        const party = debtorSide ? all(parties, 'Dbtr')[0] : all(parties, 'Cdtr')[0];
        const partyAcct = debtorSide ? all(parties, 'DbtrAcct')[0] : all(parties, 'CdtrAcct')[0];
        const ultimate = debtorSide ? all(parties, 'UltmtDbtr')[0] : undefined;
        const rem = remittanceOf(tx);
        const eref = first(tx, 'Refs', 'EndToEndId');
        lines.push({
          where: at,
          line: ordinal,
          account,
          statementId,
          direction: credit ? 'credit' : 'debit',
          reversal,
          returned,
          returnReason: first(rtrInf, 'Rsn', 'Cd') ?? first(rtrInf, 'Rsn', 'Prtry'),
          amount,
          currency,
          bookingDate,
          valueDate,
          bankReference: first(tx, 'Refs', 'AcctSvcrRef') ?? (split ? (entryRef ? `${entryRef}-${ti + 1}` : undefined) : entryRef),
          endToEndId: eref && eref !== 'NOTPROVIDED' ? eref : undefined,
          counterpartyIban: ibanOf(partyAcct),
          counterpartyName: nameOf(party) ?? nameOf(ultimate),
          remittance: rem.unstructured ?? first(tx, 'AddtlTxInf') ?? (txs.length <= 1 ? first(entry, 'AddtlNtryInf') : undefined),
          creditorReference: rem.structured,
          raw,
        });
      });
    });
  });
  if (pending) warnings.push(`${pending} entr${pending === 1 ? 'y' : 'ies'} not booked (status PDNG/INFO) left out: only booked entries are money received`);
  return { format, lines, rejects, warnings };
}
