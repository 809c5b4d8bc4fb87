import { isIsoDate } from '../../schema/index.js';
import { money } from './amounts.js';
import { compact, isIban, structuredIn } from './references.js';
import { StatementFormatError } from './camt053.js';
import type { LineReject, StatementLine, StatementParse } from './types.js';

/**
 * SWIFT MT940 customer statements in the Dutch banks' dialects. The frame is SWIFT's (:20: statement,
 * :25: account, :60F: opening balance, :61: statement line, :86: information to the account owner,
 * :62F: closing balance); the banks differ in the :86: field, which they fill with code words:
 *  - ING (structured MT940, since 2014): /EREF/…//CNTP/<IBAN>/<BIC>/<name>/<city>//REMI/USTD//<text>/
 *    or /REMI/STRD/CUR/<betalingskenmerk>/ (each value closed by a slash);
 *  - Rabobank (MT940 structured): the payer's account on the second line of :61:, and
 *    /EREF/…/ORDP//NAME/<name>/ADDR/…/REMI/<text>/CDTRREFTP//CD/SCOR/ISSR/CUR/CDTRREF/<ref>/ISDT/…;
 *  - ABN AMRO (SEPA MT940): /TRTP/SEPA OVERBOEKING/IBAN/<IBAN>/BIC/…/NAME/<name>/REMI/<text>/EREF/….
 * Lines of :86: are cut at 65 characters wherever the text is (also inside a word), so they are joined
 * without a separator. An :86: without code words (older unstructured exports) is all remittance text.
 */

const CODE_WORDS = [
  'TRTP', 'IBAN', 'BIC', 'NAME', 'REMI', 'EREF', 'ORDP', 'BENM', 'ADDR', 'CDTRREFTP', 'CD', 'ISSR', 'CDTRREF',
  'CSID', 'ISDT', 'MARF', 'PREF', 'RTRN', 'CNTP', 'PURP', 'ULTC', 'ULTD', 'ULTB', 'ACCW', 'BUSP', 'CREF', 'IREF',
  'EXCH', 'CHGS', 'ID', 'SVCL', 'OCMT',
];
const CODE_WORD = new RegExp(`/(${CODE_WORDS.join('|')})/`, 'g');

/** :86: text into code word → value (first occurrence wins; values keep inner slashes). */
export function codeWords(info: string): Map<string, string> {
  const out = new Map<string, string>();
  const hits = [...info.matchAll(CODE_WORD)];
  // Code words must start the field (a structured :86:); otherwise it is free text.
  if (hits.length === 0 || hits[0]!.index! > 1) return out;
  hits.forEach((h, i) => {
    const start = h.index! + h[0].length;
    const end = i + 1 < hits.length ? hits[i + 1]!.index! : info.length;
    // Consecutive code words share their slash ("/ORDP//NAME/"): an empty value is kept as empty.
    if (!out.has(h[1]!)) out.set(h[1]!, info.slice(start, Math.max(start, end)).replace(/\/+$/, '').trim());
  });
  return out;
}

interface Field {
  tag: string;
  value: string;
  line: number;
}

/** The message text split into tagged fields; header blocks and preamble lines are skipped. */
function fields(textIn: string): Field[] {
  const out: Field[] = [];
  const lines = textIn.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let cur: Field | undefined;
  lines.forEach((raw, i) => {
    // SWIFT blocks around the text: {1:…}{2:…}{4: at the start, -} at the end.
    let l = raw.replace(/^\{1:[^}]*\}(\{2:[^}]*\})?(\{3:(\{[^}]*\})*\})?\{4:/, '');
    const tag = /^:(\d{2}[A-Z]?):(.*)$/.exec(l);
    if (tag) {
      cur = { tag: tag[1]!, value: tag[2]!, line: i + 1 };
      out.push(cur);
      return;
    }
    if (/^-\}?$|^-XXX$/.test(l.trim()) || /^\{5:/.test(l)) {
      cur = undefined;
      return;
    }
    l = l.replace(/\s+$/, '');
    if (cur && l !== '') cur.value += `\n${l}`;
  });
  return out;
}

const LINE_61 = /^(\d{6})(\d{4})?(R?[CD])([A-Z])?(\d{1,12},\d{0,2})([NFS][A-Z0-9]{3})(.*)$/;

function yymmdd(s: string): string | undefined {
  const iso = `20${s.slice(0, 2)}-${s.slice(2, 4)}-${s.slice(4, 6)}`;
  return isIsoDate(iso) ? iso : undefined;
}

/** The :61: entry date (MMDD) in the year that puts it nearest the value date. */
function entryDate(valueIso: string, mmdd: string): string | undefined {
  const y = Number(valueIso.slice(0, 4));
  const candidates = [y - 1, y, y + 1].map((yy) => `${yy}-${mmdd.slice(0, 2)}-${mmdd.slice(2, 4)}`).filter(isIsoDate);
  const v = Date.parse(valueIso);
  return candidates.sort((a, b) => Math.abs(Date.parse(a) - v) - Math.abs(Date.parse(b) - v))[0];
}

function accountOf(value: string): { account: string; currency?: string } {
  const v = value.trim().replace(/\s/g, '');
  // ING appends the currency to the IBAN (NL77INGB0574908765EUR); some banks write BIC/IBAN.
  const m = /([A-Z]{2}\d{2}[A-Z0-9]{8,30}?)([A-Z]{3})?$/.exec(v.split('/').pop()!);
  if (m && isIban(m[1]!)) return { account: m[1]!, currency: m[2] };
  return { account: v };
}

export function parseMt940(textIn: string): StatementParse {
  const fs = fields(textIn);
  if (!fs.some((f) => f.tag === '20') || !fs.some((f) => f.tag === '25')) {
    throw new StatementFormatError('not an MT940 statement: no :20: and :25: fields');
  }
  const lines: StatementLine[] = [];
  const rejects: LineReject[] = [];
  const warnings: string[] = [];
  let account = '';
  let statementId = '';
  let currency: string | undefined;
  let bank = '';
  let pendingLine: StatementLine | undefined;
  let pendingReject = false;
  let opening: bigint | undefined;
  let linesFrom = 0;
  let flipped = false;
  const flush = () => {
    if (pendingLine) lines.push(pendingLine);
    pendingLine = undefined;
  };
  for (const f of fs) {
    switch (f.tag) {
      case '20':
        flush();
        statementId = f.value.trim();
        break;
      case '25': {
        flush();
        const a = accountOf(f.value);
        account = a.account;
        bank = account.slice(4, 8);
        if (a.currency) currency = a.currency;
        break;
      }
      case '28':
      case '28C':
        statementId = `${statementId}/${f.value.trim()}`;
        break;
      case '60F':
      case '60M': {
        flush();
        const m = /^[CD]\d{6}([A-Z]{3})/.exec(f.value.trim());
        if (m) currency = m[1];
        opening = balanceCents(f.value);
        linesFrom = lines.length;
        break;
      }
      case '62F':
      case '62M': {
        flush();
        const closing = balanceCents(f.value);
        if (opening !== undefined && closing !== undefined && settleReversalMarks(lines.slice(linesFrom), opening, closing)) {
          flipped = true;
        }
        opening = undefined;
        break;
      }
      case '61': {
        flush();
        pendingReject = false;
        const [first, ...more] = f.value.split('\n');
        const m = LINE_61.exec(first!.trim());
        const raw = `:61:${f.value.replace(/\n/g, ' ')}`;
        const where = `line ${f.line}`;
        if (!m) {
          rejects.push({ line: f.line, column: ':61:', reason: 'unreadable statement line', detail: `${where}: ":61:${first}"`, raw });
          pendingReject = true;
          break;
        }
        const valueDate = yymmdd(m[1]!);
        const amount = money(m[5], true);
        if (!valueDate) {
          rejects.push({ line: f.line, column: ':61: value date', reason: 'not a date', detail: `${where}: "${m[1]}"`, raw });
          pendingReject = true;
          break;
        }
        if (!amount) {
          rejects.push({ line: f.line, column: ':61: amount', reason: 'not an amount', detail: `${where}: "${m[5]}"`, raw });
          pendingReject = true;
          break;
        }
        const ref = m[7]!;
        const slash = ref.indexOf('//');
        const supplementary = more.join('').trim();
        const sign = m[3]!;
        pendingLine = {
          where,
          line: f.line,
          account,
          statementId,
          // SWIFT: RC is the reversal of a credit (a debit entry: a returned receipt), RD the
          // reversal of a debit (a credit entry).
          direction: sign === 'C' || sign === 'RD' ? 'credit' : 'debit',
          reversal: sign.startsWith('R'),
          returned: sign === 'RC',
          amount,
          currency: currency ?? '',
          valueDate,
          bookingDate: m[2] ? entryDate(valueDate, m[2]) : undefined,
          bankReference: slash >= 0 ? ref.slice(slash + 2).trim() || undefined : undefined,
          // Rabobank writes the counterparty's account as the second line of :61:.
          counterpartyIban: supplementary && isIban(supplementary) ? supplementary.toUpperCase() : undefined,
          raw,
        };
        break;
      }
      case '86': {
        if (pendingReject) break;
        if (!pendingLine) break; // information at statement level (after :62F:), not about a line
        const info = f.value.replace(/\n/g, '');
        pendingLine.raw += ` :86:${info}`;
        const cw = codeWords(info);
        if (cw.size === 0) {
          pendingLine.remittance = info.trim() || undefined;
          pendingLine.creditorReference = structuredIn(pendingLine.remittance);
          break;
        }
        const eref = cw.get('EREF');
        if (eref && eref !== 'NOTPROVIDED') pendingLine.endToEndId = eref;
        // ING/ABN AMRO: /RTRN/<reason code>/ on a returned or reversed transaction.
        const rtrn = cw.get('RTRN')?.split('/')[0]?.trim();
        if (rtrn) pendingLine.returnReason = rtrn;
        const cntp = cw.get('CNTP');
        if (cntp !== undefined) {
          // ING: <account>/<BIC>/<name>/<city>
          const [acct, , name] = cntp.split('/');
          if (acct && isIban(acct)) pendingLine.counterpartyIban = acct.toUpperCase();
          if (name) pendingLine.counterpartyName = name.trim();
        }
        const iban = cw.get('IBAN') ?? cw.get('ACCW')?.split(',')[0];
        if (iban && isIban(iban)) pendingLine.counterpartyIban = iban.replace(/\s/g, '').toUpperCase();
        const name = cw.get('NAME');
        if (name) pendingLine.counterpartyName = name;
        const remi = cw.get('REMI');
        if (remi !== undefined) {
          const strd = /^STRD\/(CUR|ISO)\/(.+)$/.exec(remi);
          const ustrd = /^USTD\/\/?(.*)$/s.exec(remi);
          if (strd) pendingLine.creditorReference = compact(strd[2]!.replace(/\/+$/, ''));
          else pendingLine.remittance = (ustrd ? ustrd[1]! : remi).trim() || undefined;
        }
        const cdtrref = cw.get('CDTRREF');
        if (cdtrref) pendingLine.creditorReference = compact(cdtrref);
        pendingLine.creditorReference ??= structuredIn(pendingLine.remittance);
        break;
      }
      default:
        break;
    }
  }
  flush();
  for (const l of lines) {
    if (!/^[A-Z]{3}$/.test(l.currency)) {
      rejects.push({ line: l.line, column: ':60F: currency', reason: 'currency not a 3-letter ISO 4217 code', detail: `${l.where}: no statement currency (:60F:)`, raw: l.raw });
    }
  }
  if (flipped) warnings.push('reversal marks read as the direction of the entry (RD a debit, RC a credit), as the statement balances show: SWIFT defines them the other way round');
  const dialect = bank === 'INGB' ? 'ING' : bank === 'RABO' ? 'Rabobank' : bank === 'ABNA' ? 'ABN AMRO' : undefined;
  return { format: `MT940${dialect ? ` (${dialect})` : ''}`, lines: lines.filter((l) => /^[A-Z]{3}$/.test(l.currency)), rejects, warnings };
}

/** A :60F:/:62F: balance (C/D, YYMMDD, currency, amount with a decimal comma) in signed cents. */
function balanceCents(value: string): bigint | undefined {
  const m = /^([CD])\d{6}[A-Z]{3}(\d{1,18}),(\d{0,2})/.exec(value.trim());
  if (!m) return undefined;
  const cents = BigInt(m[2]!) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] === 'D' ? -cents : cents;
}

const signedCents = (l: StatementLine) => {
  const [int, frac = ''] = l.amount.split('.');
  const c = BigInt(int!) * 100n + BigInt(frac.padEnd(2, '0'));
  return l.direction === 'credit' ? c : -c;
};

/**
 * SWIFT defines RC as the reversal of a credit (a debit entry: a returned receipt) and RD as the
 * reversal of a debit (a credit entry), and the lines are read so. Some banks write the mark as the
 * entry's own direction instead (RD for a returned direct debit that leaves the account). The
 * statement's balances decide: when they reconcile only with the marks read the other way, the
 * reversal lines of this statement are turned round. Returns true when it did so.
 */
export function settleReversalMarks(lines: StatementLine[], opening: bigint, closing: bigint): boolean {
  const reversals = lines.filter((l) => l.reversal);
  if (!reversals.length) return false;
  const swift = lines.reduce((sum, l) => sum + signedCents(l), opening);
  if (swift === closing) return false;
  const turned = swift - 2n * reversals.reduce((sum, l) => sum + signedCents(l), 0n);
  if (turned !== closing) return false;
  for (const l of reversals) {
    l.direction = l.direction === 'credit' ? 'debit' : 'credit';
    l.returned = l.direction === 'debit';
  }
  return true;
}
