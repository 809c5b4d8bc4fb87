import { open, readFile, stat, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { csvQuote } from '../csv-dialect/normalize.js';
import { parseMapping } from '../mapping/load.js';
import type { Mapping } from '../mapping/schema.js';
import type { NormalizedSource } from '../mapping/stage.js';
import { EInvoiceError, paymentTermDays, readEInvoice, toScaled, fromScaled, totalsProblem, type EInvoice } from './einvoice.js';
import { MAX_XML_BYTES, UnsafeXmlError, parseUntrustedXml } from './secure-xml.js';

/**
 * An e-invoice file becomes a one-row normalized source (see mapping/stage.ts) that the built-in
 * `e-invoice` mapping turns into `invoices` and `customers` rows, so e-invoices go through exactly the
 * same checks, quarantine and batch commit as any mapped export. A document that is unsafe, not an
 * e-invoice, or breaks the totals rule becomes a reject with that reason instead.
 */

export const EINVOICE_COLUMNS = [
  'ID', 'DocumentType', 'IssueDate', 'DueDate', 'Currency', 'Amount', 'BillingReference',
  'BuyerId', 'BuyerName', 'BuyerKvK', 'BuyerVAT', 'BuyerCountry', 'PaymentTermsDays',
  'Syntax', 'Profile', 'TypeCode', 'TaxExclusiveAmount', 'TaxInclusiveAmount', 'PrepaidAmount', 'PayableRoundingAmount', 'PayableAmount',
  'PaymentID',
] as const;

export type EInvoiceRow = Record<(typeof EINVOICE_COLUMNS)[number], string>;

let builtIn: Mapping | undefined;
export function einvoiceMapping(): Mapping {
  const path = new URL('./einvoice-mapping.json', import.meta.url);
  builtIn ??= parseMapping(readFileSync(path, 'utf8'), 'einvoice-mapping.json');
  return builtIn;
}

/** The canonical reading of one document: sign, document type and due date decided here. */
export function einvoiceRow(inv: EInvoice): { row: EInvoiceRow; notes: string[] } {
  const notes: string[] = [];
  const isCredit = inv.syntax === 'UBL CreditNote' || (inv.syntax === 'CII' && inv.typeCode === '381');
  const payable = toScaled(inv.totals.payable);
  const signed = isCredit ? -payable : payable;
  const terms = paymentTermDays(inv);
  let due = inv.dueDate;
  if (!due) {
    const days = terms ?? 0;
    due = new Date(Date.parse(inv.issueDate) + days * 86_400_000).toISOString().slice(0, 10);
    notes.push(`${inv.id}: no due date${terms !== undefined ? `; ${terms} days from the payment terms` : '; due on the issue date'}`);
  }
  const row: EInvoiceRow = {
    ID: inv.id,
    DocumentType: signed < 0n ? 'credit_note' : 'invoice',
    IssueDate: inv.issueDate,
    DueDate: due,
    Currency: inv.currency,
    Amount: fromScaled(signed),
    BillingReference: inv.billingReference ?? '',
    BuyerId: inv.buyer.id ?? '',
    BuyerName: inv.buyer.name ?? '',
    BuyerKvK: inv.buyer.kvk ?? '',
    BuyerVAT: inv.buyer.vat ?? '',
    BuyerCountry: inv.buyer.country ?? '',
    PaymentTermsDays: terms === undefined ? '' : String(terms),
    Syntax: inv.syntax,
    Profile: inv.profile,
    TypeCode: inv.typeCode ?? '',
    TaxExclusiveAmount: inv.totals.taxExclusive ?? '',
    TaxInclusiveAmount: inv.totals.taxInclusive ?? '',
    PrepaidAmount: inv.totals.prepaid ?? '',
    PayableRoundingAmount: inv.totals.rounding ?? '',
    PayableAmount: inv.totals.payable,
    PaymentID: inv.paymentId ?? '',
  };
  return { row, notes };
}

export type EInvoiceReading = { ok: true; invoice: EInvoice; row: EInvoiceRow; notes: string[] } | { ok: false; reason: string };

/** Reads one file as an e-invoice; every way it can be unusable is a reason, never an exception. */
export async function readEInvoiceFile(file: string, maxBytes = MAX_XML_BYTES): Promise<EInvoiceReading> {
  const size = (await stat(file)).size;
  if (size > maxBytes) return { ok: false, reason: `unsafe XML: document is ${size} bytes, over the limit of ${maxBytes}` };
  try {
    const invoice = readEInvoice(parseUntrustedXml(await readFile(file), maxBytes));
    const problem = totalsProblem(invoice.totals);
    if (problem) return { ok: false, reason: `totals rule BR-CO-16 broken: ${problem}` };
    return { ok: true, invoice, ...einvoiceRow(invoice) };
  } catch (e) {
    if (e instanceof UnsafeXmlError) return { ok: false, reason: `unsafe XML: ${e.message}` };
    if (e instanceof EInvoiceError) return { ok: false, reason: `not a usable e-invoice: ${e.message}` };
    throw e;
  }
}

export async function prepareEInvoice(file: string, scratchDir: string): Promise<NormalizedSource> {
  const out = join(scratchDir, 'normalized.csv');
  const rejects = join(scratchDir, 'pre-rejects.csv');
  const r = await readEInvoiceFile(file);
  const header = `__line,${EINVOICE_COLUMNS.join(',')}\n`;
  if (r.ok) {
    await writeFile(out, `${header}1,${EINVOICE_COLUMNS.map((c) => csvQuote(r.row[c])).join(',')}\n`);
    await writeFile(rejects, 'line,column,reason,detail,raw\n');
  } else {
    await writeFile(out, header);
    await writeFile(rejects, `line,column,reason,detail,raw\n1,,${csvQuote(r.reason)},,\n`);
  }
  const notes = r.ok ? [`${r.invoice.profile} ${r.invoice.syntax} ${r.invoice.id}`, ...r.notes] : [];
  return {
    file: out,
    delimiter: ',',
    header: [...EINVOICE_COLUMNS],
    rejectsFile: rejects,
    rows: r.ok ? 1 : 0,
    rejected: r.ok ? 0 : 1,
    sourceName: basename(file),
    notes,
  };
}

/** True when the file's first non-blank character opens markup: it is routed to the e-invoice reader. */
export async function looksLikeXml(file: string): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    const head = buf.subarray(0, bytesRead).toString('latin1').replace(/^\xEF\xBB\xBF/, '').trimStart();
    return head.startsWith('<');
  } finally {
    await fh.close();
  }
}
