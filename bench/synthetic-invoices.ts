/**
 * A canonical invoices CSV of any size, written by DuckDB in about a second per million rows. Volume
 * data for the ingest benchmark and the kill test (the realistic ledger is `creditlake generate`).
 * Synthetic invoices: ~5% credit notes, 14/30/60-day terms, amounts with cents.
 */
export function syntheticInvoicesSql(n: number, path: string): string {
  return `COPY (
    SELECT 'INV' || lpad(CAST(i AS VARCHAR), 9, '0') AS document_id,
      'C' || lpad(CAST(i % 20000 AS VARCHAR), 6, '0') AS customer_id,
      CASE WHEN i % 20 = 0 THEN 'credit_note' ELSE 'invoice' END AS document_type,
      DATE '2023-01-01' + CAST(i % 730 AS INTEGER) AS invoice_date,
      DATE '2023-01-01' + CAST(i % 730 AS INTEGER) + [14, 30, 60][1 + i % 3] AS due_date,
      'EUR' AS currency,
      CAST(CASE WHEN i % 20 = 0 THEN -1 ELSE 1 END * (10 + (i * 7919) % 500000 / 100.0) AS DECIMAL(18,2)) AS amount,
      CASE WHEN i % 3 = 0 THEN DATE '2023-01-01' + CAST(i % 730 AS INTEGER) + 40 END AS settled_date,
      CASE WHEN i % 20 = 0 THEN 'INV' || lpad(CAST(i - 1 AS VARCHAR), 9, '0') END AS corrects_document_id
    FROM range(${n}) t(i)) TO '${path}' (HEADER, DELIMITER ',')`;
}

