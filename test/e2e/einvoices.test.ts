/**
 * Real Peppol BIS 3 / SI-UBL 2.0 / NLCIUS CII documents (OpenPeppol and Simplerinvoicing examples)
 * ingested by content with no flag, plus hostile documents generated here: XXE, billion laughs, a
 * broken totals rule, a non-invoice XML. Expected values are read off the examples by hand.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readEInvoiceFile } from '../../src/feeds/ubl/prepare.js';
import { DuckDBEngine } from '../../src/warehouse/duckdb/duckdb-engine.js';
import { cli } from '../helpers/cli.js';

const FIX = join(import.meta.dirname, '../fixtures/ubl');

// file → [id, type, issue date, due date, currency, signed amount, buyer id, buyer KvK]
const EXPECTED: Record<string, [string, string, string, string, string, string, string, string]> = {
  'peppol/peppol-bis3_Allowance-example.xml': ['Snippet1', 'invoice', '2017-11-13', '2017-12-01', 'EUR', '6125.00', '4598375937', ''],
  'peppol/peppol-bis3_Norwegian-example-1.xml': ['TOSL108', 'invoice', '2013-06-30', '2013-07-20', 'NOK', '802.00', '3456789012098', ''],
  'peppol/peppol-bis3_Vat-category-S.xml': ['Snippet1', 'invoice', '2017-11-13', '2017-12-01', 'EUR', '8550.00', 'FR23342', ''],
  'peppol/peppol-bis3_base-creditnote-correction.xml': ['Snippet1', 'credit_note', '2017-11-13', '2017-11-23', 'EUR', '-1656.25', 'FR23342', ''],
  'peppol/peppol-bis3_base-example.xml': ['Snippet1', 'invoice', '2017-11-13', '2017-12-01', 'EUR', '1656.25', 'FR23342', ''],
  'peppol/peppol-bis3_base-negative-inv-correction.xml': ['Correction1', 'credit_note', '2017-11-13', '2017-12-01', 'EUR', '-1656.25', 'FR23342', ''],
  'peppol/peppol-bis3_vat-category-E.xml': ['Vat-Z', 'invoice', '2018-08-30', '2018-09-29', 'GBP', '1200.00', '12345678', ''],
  'peppol/peppol-bis3_vat-category-O.xml': ['Vat-O', 'invoice', '2018-08-30', '2018-09-29', 'SEK', '3200.00', '987654325', ''],
  'si-ubl/NLCIUS-CII_ok_example.xml': ['1100512149', 'invoice', '2014-11-10', '2014-11-24', 'EUR', '1099.78', '1081119', '13524678'],
  'si-ubl/SI-UBL-2.0_BR-NL-8_ok_381.xml': ['12115118', 'credit_note', '2015-01-09', '2015-01-09', 'EUR', '-227.00', '10202', '11111111'],
  'si-ubl/SI-UBL-2.0_ok_allowance.xml': ['12115118', 'invoice', '2015-01-09', '2015-01-09', 'EUR', '106.00', '10202', '11111111'],
  'si-ubl/SI-UBL-2.0_ok_charge.xml': ['12115118', 'invoice', '2015-01-09', '2015-01-09', 'EUR', '348.00', '10202', '11111111'],
  'si-ubl/SI-UBL-2.0_ok_full.xml': ['TOSL108', 'invoice', '2009-12-15', '2009-12-15', 'EUR', '729.00', '88884444', '87654321'],
  'si-ubl/SI-UBL-2.0_ok_minimal.xml': ['12115118', 'invoice', '2015-01-09', '2015-01-09', 'EUR', '242.00', '11111111', '11111111'],
  'si-ubl/SI-UBL-2.0_ok_negative.xml': ['12115118', 'credit_note', '2015-01-09', '2015-01-09', 'EUR', '-242.00', '10202', '11111111'],
};

const XXE = `<?xml version="1.0"?>
<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"><cbc:ID>&xxe;</cbc:ID></Invoice>`;
const LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<Invoice><ID>&lol9;</ID></Invoice>`;

// file → BT-83, the payment reference the payer is asked to quote (UBL PaymentMeans/PaymentID, CII PaymentReference).
const PAYMENT_ID: Record<string, string> = {
  'peppol/peppol-bis3_Allowance-example.xml': 'Snippet1',
  'peppol/peppol-bis3_Norwegian-example-1.xml': '0003434323213231',
  'peppol/peppol-bis3_Vat-category-S.xml': 'Snippet1',
  'peppol/peppol-bis3_base-creditnote-correction.xml': 'Snippet1',
  'peppol/peppol-bis3_base-example.xml': 'Snippet1',
  'peppol/peppol-bis3_base-negative-inv-correction.xml': 'Snippet1',
  'peppol/peppol-bis3_vat-category-E.xml': '',
  'peppol/peppol-bis3_vat-category-O.xml': '',
  'si-ubl/NLCIUS-CII_ok_example.xml': '1100512149',
  'si-ubl/SI-UBL-2.0_BR-NL-8_ok_381.xml': 'Deb. 10202 / Fact. 12115118',
  'si-ubl/SI-UBL-2.0_ok_allowance.xml': 'Deb. 10202 / Fact. 12115118',
  'si-ubl/SI-UBL-2.0_ok_charge.xml': 'Deb. 10202 / Fact. 12115118',
  'si-ubl/SI-UBL-2.0_ok_full.xml': 'Payref1',
  'si-ubl/SI-UBL-2.0_ok_minimal.xml': 'Deb. 10202 / Fact. 12115118',
  'si-ubl/SI-UBL-2.0_ok_negative.xml': 'Deb. 10202 / Fact. 12115118',
};

describe('e-invoice documents, one at a time', () => {
  for (const [file, [id, type, issue, due, currency, amount, buyer, kvk]] of Object.entries(EXPECTED)) {
    it(`${file}: ${id}, ${type}, ${currency} ${amount}`, async () => {
      const r = await readEInvoiceFile(join(FIX, file));
      expect(r.ok, r.ok ? '' : r.reason).toBe(true);
      if (!r.ok) return;
      expect([r.row.ID, r.row.DocumentType, r.row.IssueDate, r.row.DueDate, r.row.Currency, r.row.Amount, r.row.BuyerId, r.row.BuyerKvK]).toEqual([
        id,
        type,
        issue,
        due,
        currency,
        amount,
        buyer,
        kvk,
      ]);
      expect(r.row.PaymentID).toBe(PAYMENT_ID[file]);
    });
  }

  it('covers every fixture file', () => {
    const files = ['peppol', 'si-ubl'].flatMap((d) => readdirSync(join(FIX, d)).map((f) => `${d}/${f}`));
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('rejects XXE and billion laughs before parsing, with a clear reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-xml-'));
    writeFileSync(join(dir, 'xxe.xml'), XXE);
    writeFileSync(join(dir, 'laughs.xml'), LAUGHS);
    for (const f of ['xxe.xml', 'laughs.xml']) {
      const r = await readEInvoiceFile(join(dir, f));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).toMatch(/unsafe XML: DOCTYPE declarations are not allowed/);
    }
  });

  it('rejects a document that breaks payable = tax-inclusive − prepaid + rounding', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-xml-'));
    const text = readFileSync(join(FIX, 'peppol/peppol-bis3_Norwegian-example-1.xml'), 'utf8').replace('>802.00<', '>803.00<');
    writeFileSync(join(dir, 'bad-totals.xml'), text);
    const r = await readEInvoiceFile(join(dir, 'bad-totals.xml'));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toBe('totals rule BR-CO-16 broken: PayableAmount 803.00 ≠ TaxInclusiveAmount 1801.78 − PrepaidAmount 1000 + PayableRoundingAmount 0.22 = 802.00');
  });

  it('rejects an oversized document without reading it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'creditlake-xml-'));
    writeFileSync(join(dir, 'big.xml'), `<Invoice>${' '.repeat(2048)}</Invoice>`);
    const r = await readEInvoiceFile(join(dir, 'big.xml'), 1024);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(/over the limit of 1024/);
  });
});

describe('creditlake ingest <folder> recognises e-invoices by content', () => {
  let dir: string;
  let lake: string;
  let first: Awaited<ReturnType<typeof cli>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'creditlake-einv-'));
    lake = join(dir, 'lake');
    const inbox = join(dir, 'inbox');
    mkdirSync(join(inbox, 'hostile'), { recursive: true });
    for (const f of ['peppol/peppol-bis3_Norwegian-example-1.xml', 'si-ubl/SI-UBL-2.0_ok_full.xml', 'si-ubl/SI-UBL-2.0_BR-NL-8_ok_381.xml', 'si-ubl/NLCIUS-CII_ok_example.xml']) {
      copyFileSync(join(FIX, f), join(inbox, f.split('/')[1]!));
    }
    writeFileSync(join(inbox, 'hostile', 'xxe.xml'), XXE);
    writeFileSync(join(inbox, 'hostile', 'laughs.xml'), LAUGHS);
    writeFileSync(join(inbox, 'hostile', 'bad-totals.xml'), readFileSync(join(FIX, 'si-ubl/SI-UBL-2.0_ok_minimal.xml'), 'utf8').replace(/(<cbc:PayableAmount[^>]*>)242.00/, '$1240.00'));
    writeFileSync(join(inbox, 'hostile', 'order.xml'), '<?xml version="1.0"?><Order><ID>1</ID></Order>');
    first = await cli(dir, 'ingest', '--lake', lake, 'inbox');
  });

  it('loads the good documents and quarantines each hostile one with its reason; exit 1 for the rejects', async () => {
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('total: 8 files, 4 loaded, 4 rejected');
    expect(first.stderr).toMatch(/4 file\(s\) failed/);
    const engine = await DuckDBEngine.open();
    try {
      const inv = (await engine.query(`SELECT document_id, document_type, amount, currency, delivery_channel FROM read_parquet('${lake}/raw/invoices/*/*.parquet') ORDER BY document_id, amount`)).rows;
      expect(inv).toEqual([
        { document_id: '1100512149', document_type: 'invoice', amount: '1099.78', currency: 'EUR', delivery_channel: 'e-invoice' },
        { document_id: '12115118', document_type: 'credit_note', amount: '-227.00', currency: 'EUR', delivery_channel: 'e-invoice' },
        { document_id: 'TOSL108', document_type: 'invoice', amount: '729.00', currency: 'EUR', delivery_channel: 'e-invoice' },
        { document_id: 'TOSL108', document_type: 'invoice', amount: '802.00', currency: 'NOK', delivery_channel: 'e-invoice' },
      ]);
      const cust = (await engine.query(`SELECT customer_id, kvk_number, country FROM read_parquet('${lake}/raw/customers/*/*.parquet') WHERE kvk_number IS NOT NULL ORDER BY 1`)).rows;
      expect(cust).toContainEqual({ customer_id: '1081119', kvk_number: '13524678', country: 'NL' });
      const q = (
        await engine.query(`SELECT DISTINCT source_file, reason FROM read_parquet('${lake}/quarantine/invoices/*.parquet') ORDER BY 1`)
      ).rows.map((r) => `${r.source_file}: ${String(r.reason)}`);
      expect(q).toHaveLength(4);
      expect(q[0]).toMatch(/^bad-totals\.xml: totals rule BR-CO-16 broken: PayableAmount 240\.00 ≠ TaxInclusiveAmount 242\.00/);
      expect(q[1]).toMatch(/^laughs\.xml: unsafe XML: DOCTYPE declarations are not allowed in e-invoices/);
      expect(q[2]).toMatch(/^order\.xml: not a usable e-invoice: root element <Order> is not a UBL Invoice/);
      expect(q[3]).toMatch(/^xxe\.xml: unsafe XML: DOCTYPE declarations are not allowed in e-invoices/);
    } finally {
      await engine.close();
    }
  });

  it('ingesting the same folder again changes nothing', async () => {
    const again = await cli(dir, 'ingest', '--lake', lake, 'inbox');
    expect(again.stdout.match(/: already ingested with mapping e-invoice/g)).toHaveLength(8);
    // Nothing is written again, and the verdict stands: the four hostile documents fail again, as in the first run.
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(first.stderr);
  });

  it('skips, with a note, files in a folder that are not XML (the PDF copy beside an e-invoice)', async () => {
    const inbox2 = join(dir, 'inbox2');
    mkdirSync(inbox2);
    copyFileSync(join(FIX, 'si-ubl/SI-UBL-2.0_ok_minimal.xml'), join(inbox2, 'invoice.xml'));
    writeFileSync(join(inbox2, 'invoice.pdf'), '%PDF-1.4\n');
    writeFileSync(join(inbox2, 'README.md'), '# invoices\n');
    const r = await cli(dir, 'ingest', '--lake', join(dir, 'lake2'), 'inbox2');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/skipped 2 file\(s\) in the folder\(s\) that are not XML: /);
    expect(r.stderr).toContain('inbox2/README.md');
    expect(r.stderr).toContain('inbox2/invoice.pdf');
    expect(r.stdout).toMatch(/invoice\.xml: .*1 loaded, 0 rejected/);
    rmSync(join(inbox2, 'invoice.xml'));
    const none = await cli(dir, 'ingest', '--lake', join(dir, 'lake3'), 'inbox2');
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no e-invoices (XML files) found');
  });

  it('refuses a non-XML file without --table or --mapping (usage error, nothing written)', async () => {
    writeFileSync(join(dir, 'ledger.csv'), 'a,b\n1,2\n');
    const r = await cli(dir, 'ingest', '--lake', join(dir, 'other-lake'), 'ledger.csv');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ledger\.csv: not an e-invoice/);
    expect(existsSync(join(dir, 'other-lake'))).toBe(false);
  });
});
