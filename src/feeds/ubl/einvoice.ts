import { all, attr, first, type XmlNode, type XmlValue } from './secure-xml.js';

/**
 * Reads the fields credit management needs from an e-invoice: UBL 2.1 Invoice / CreditNote (plain,
 * Peppol BIS Billing 3.0, SI-UBL 2.0 / NLCIUS) and UN/CEFACT CII (NLCIUS CII). Pure: parsed XML tree in,
 * one flat record out, or a reason why the document cannot be used. Amounts stay decimal strings and
 * the totals rule is checked in exact integer arithmetic.
 */

export type Syntax = 'UBL Invoice' | 'UBL CreditNote' | 'CII';

export interface EInvoice {
  syntax: Syntax;
  /** Peppol BIS 3, SI-UBL 2.0 (NLCIUS), NLCIUS CII, or plain UBL 2.1. */
  profile: string;
  id: string;
  issueDate: string;
  dueDate?: string;
  typeCode?: string;
  currency: string;
  paymentTermsNote?: string;
  billingReference?: string;
  /** BT-83 remittance information: the reference the payer is asked to quote (UBL PaymentMeans/PaymentID, CII PaymentReference). */
  paymentId?: string;
  buyer: { id?: string; name?: string; kvk?: string; vat?: string; country?: string };
  totals: { lineExtension?: string; taxExclusive?: string; taxInclusive?: string; prepaid?: string; rounding?: string; payable: string };
}

export class EInvoiceError extends Error {}

/** Which e-invoice syntax a parsed document is, by its root element; undefined for anything else. */
export function syntaxOf(doc: XmlNode): Syntax | undefined {
  if (doc.Invoice) return 'UBL Invoice';
  if (doc.CreditNote) return 'UBL CreditNote';
  if (doc.CrossIndustryInvoice) return 'CII';
  return undefined;
}

/** Decimal string → integer in units of 10^-scale; throws on anything but a plain decimal. */
export function toScaled(value: string, scale = 4): bigint {
  const m = /^([+-])?(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!m) throw new EInvoiceError(`"${value}" is not a decimal amount`);
  const frac = (m[3] ?? '').padEnd(scale, '0');
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) throw new EInvoiceError(`"${value}" has more than ${scale} decimals`);
  const n = BigInt(m[2]! + frac.slice(0, scale));
  return m[1] === '-' ? -n : n;
}

export function fromScaled(n: bigint, scale = 4, decimals = 2): string {
  const neg = n < 0n;
  const abs = neg ? -n : n;
  const s = abs.toString().padStart(scale + 1, '0');
  const int = s.slice(0, -scale);
  const frac = s.slice(-scale).slice(0, decimals);
  return `${neg ? '-' : ''}${int}${decimals ? `.${frac}` : ''}`;
}

/** BR-CO-16: payable = tax-inclusive − prepaid + rounding. Returns a reason when it does not hold. */
export function totalsProblem(t: EInvoice['totals']): string | undefined {
  if (t.taxInclusive === undefined) return 'TaxInclusiveAmount is missing';
  const expected = toScaled(t.taxInclusive) - toScaled(t.prepaid ?? '0') + toScaled(t.rounding ?? '0');
  if (expected !== toScaled(t.payable)) {
    return `PayableAmount ${t.payable} ≠ TaxInclusiveAmount ${t.taxInclusive} − PrepaidAmount ${t.prepaid ?? '0'} + PayableRoundingAmount ${t.rounding ?? '0'} = ${fromScaled(expected)}`;
  }
  return undefined;
}

function profileOf(customization: string | undefined, syntax: Syntax): string {
  const c = customization ?? '';
  if (c.includes('nlcius')) return syntax === 'CII' ? 'NLCIUS CII' : 'SI-UBL 2.0';
  if (c.includes('peppol')) return 'Peppol BIS 3';
  return syntax === 'CII' ? 'CII' : 'UBL 2.1';
}

function required(v: string | undefined, what: string): string {
  if (v === undefined) throw new EInvoiceError(`${what} is missing`);
  return v;
}

function isoDate(v: string | undefined, what: string): string | undefined {
  if (v === undefined) return undefined;
  const d = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(v);
  if (!d) throw new EInvoiceError(`${what} "${v}" is not a date`);
  return `${d[1]}-${d[2]}-${d[3]}`;
}

function byScheme(nodes: XmlValue[], scheme: string): string | undefined {
  for (const n of nodes) if (attr(n, 'schemeID') === scheme) return first(n);
  return undefined;
}

function readUbl(root: XmlNode, syntax: Syntax): EInvoice {
  const customer = all(root, 'AccountingCustomerParty', 'Party')[0];
  const legal = all(customer, 'PartyLegalEntity');
  const kvk =
    byScheme(all(legal, 'CompanyID'), '0106') ??
    byScheme(all(customer, 'PartyIdentification', 'ID'), '0106') ??
    byScheme(all(customer, 'EndpointID'), '0106');
  const vat = all(customer, 'PartyTaxScheme')
    .filter((s) => (first(s, 'TaxScheme', 'ID') ?? 'VAT').toUpperCase() === 'VAT')
    .map((s) => first(s, 'CompanyID'))
    .find(Boolean);
  const totals = all(root, 'LegalMonetaryTotal')[0];
  return {
    syntax,
    profile: profileOf(first(root, 'CustomizationID'), syntax),
    id: required(first(root, 'ID'), 'document ID (BT-1)'),
    issueDate: required(isoDate(first(root, 'IssueDate'), 'IssueDate'), 'IssueDate (BT-2)'),
    dueDate: isoDate(first(root, 'DueDate') ?? first(root, 'PaymentMeans', 'PaymentDueDate'), 'DueDate'),
    typeCode: first(root, syntax === 'UBL CreditNote' ? 'CreditNoteTypeCode' : 'InvoiceTypeCode'),
    currency: required(first(root, 'DocumentCurrencyCode'), 'DocumentCurrencyCode (BT-5)'),
    paymentTermsNote: first(root, 'PaymentTerms', 'Note'),
    billingReference: first(root, 'BillingReference', 'InvoiceDocumentReference', 'ID'),
    paymentId: first(root, 'PaymentMeans', 'PaymentID')?.trim() || undefined,
    buyer: {
      id: first(customer, 'PartyIdentification', 'ID') ?? first(customer, 'EndpointID') ?? kvk ?? vat,
      name: first(legal, 'RegistrationName') ?? first(customer, 'PartyName', 'Name'),
      kvk,
      vat,
      country: first(customer, 'PostalAddress', 'Country', 'IdentificationCode'),
    },
    totals: {
      lineExtension: first(totals, 'LineExtensionAmount'),
      taxExclusive: first(totals, 'TaxExclusiveAmount'),
      taxInclusive: first(totals, 'TaxInclusiveAmount'),
      prepaid: first(totals, 'PrepaidAmount'),
      rounding: first(totals, 'PayableRoundingAmount'),
      payable: required(first(totals, 'PayableAmount'), 'PayableAmount (BT-115)'),
    },
  };
}

function readCii(root: XmlNode): EInvoice {
  const doc = all(root, 'ExchangedDocument')[0];
  const trade = all(root, 'SupplyChainTradeTransaction')[0];
  const buyer = all(trade, 'ApplicableHeaderTradeAgreement', 'BuyerTradeParty')[0];
  const settlement = all(trade, 'ApplicableHeaderTradeSettlement')[0];
  const sums = all(settlement, 'SpecifiedTradeSettlementHeaderMonetarySummation')[0];
  const kvk = byScheme(all(buyer, 'SpecifiedLegalOrganization', 'ID'), '0106') ?? byScheme(all(buyer, 'GlobalID'), '0106');
  const vat = byScheme(all(buyer, 'SpecifiedTaxRegistration', 'ID'), 'VA');
  return {
    syntax: 'CII',
    profile: profileOf(first(root, 'ExchangedDocumentContext', 'GuidelineSpecifiedDocumentContextParameter', 'ID'), 'CII'),
    id: required(first(doc, 'ID'), 'document ID (BT-1)'),
    issueDate: required(isoDate(first(doc, 'IssueDateTime', 'DateTimeString'), 'IssueDateTime'), 'IssueDateTime (BT-2)'),
    dueDate: isoDate(first(settlement, 'SpecifiedTradePaymentTerms', 'DueDateDateTime', 'DateTimeString'), 'DueDateDateTime'),
    typeCode: first(doc, 'TypeCode'),
    currency: required(first(settlement, 'InvoiceCurrencyCode'), 'InvoiceCurrencyCode (BT-5)'),
    paymentTermsNote: first(settlement, 'SpecifiedTradePaymentTerms', 'Description'),
    billingReference: first(settlement, 'InvoiceReferencedDocument', 'IssuerAssignedID'),
    paymentId: first(settlement, 'PaymentReference')?.trim() || undefined,
    buyer: { id: first(buyer, 'ID') ?? kvk ?? vat, name: first(buyer, 'Name'), kvk, vat, country: first(buyer, 'PostalTradeAddress', 'CountryID') },
    totals: {
      lineExtension: first(sums, 'LineTotalAmount'),
      taxExclusive: first(sums, 'TaxBasisTotalAmount'),
      taxInclusive: first(sums, 'GrandTotalAmount'),
      prepaid: first(sums, 'TotalPrepaidAmount'),
      rounding: first(sums, 'RoundingAmount'),
      payable: required(first(sums, 'DuePayableAmount'), 'DuePayableAmount (BT-115)'),
    },
  };
}

export function readEInvoice(doc: XmlNode): EInvoice {
  const syntax = syntaxOf(doc);
  if (!syntax) {
    const root = Object.keys(doc).find((k) => !k.startsWith('?') && !k.startsWith('#')) ?? '(none)';
    throw new EInvoiceError(`root element <${root}> is not a UBL Invoice, UBL CreditNote or CII CrossIndustryInvoice`);
  }
  const root = (syntax === 'UBL Invoice' ? doc.Invoice : syntax === 'UBL CreditNote' ? doc.CreditNote : doc.CrossIndustryInvoice) as XmlNode;
  return syntax === 'CII' ? readCii(root) : readUbl(root, syntax);
}

/** Days from issue to due date, or from a "… 30 days" / "… 30 dagen" payment-terms note. */
export function paymentTermDays(inv: EInvoice): number | undefined {
  if (inv.dueDate) return Math.round((Date.parse(inv.dueDate) - Date.parse(inv.issueDate)) / 86_400_000);
  const m = /(\d{1,3})\s*(days|dagen|day|dag)\b/i.exec(inv.paymentTermsNote ?? '');
  return m ? Number(m[1]) : undefined;
}
