-- Bank-statement receipts matched to open invoices, one row per receipt and invoice with the rule
-- that matched them, and one row (no invoice, rule 'unmatched') per receipt no rule matched, with its
-- payer where known and the reason its cash stays unapplied. The rules run in order; a receipt is
-- matched by the first that applies:
--  1. creditor_reference and 2. invoice_number: the invoices it names (int_bank_named), paid by due
--     date up to their balances (int_bank_named_matches);
--  3. unique_amount: the payer is known (int_bank_payers) and exactly one of that customer's open
--     invoices is open for exactly the amount received (after what rules 1 and 2 took); an invoice
--     that is the only candidate of several receipts goes to the first of them.
-- A returned receipt (negative: a direct debit the payer's bank returned, ingest --feed
-- bank-statements) gives back what the receipt it returns paid: that receipt is the one booked on the
-- same account with the same end-to-end reference and the opposite amount, on or before it. Rule
-- 'returned' re-opens each invoice it paid by what it paid (a negative allocation); a return whose
-- original is not found, or paid no invoice, stays unmatched with its reason, on the payer's account
-- when the payer is known.
-- Amounts are in the invoice's currency, which is the receipt's.
WITH named AS (
  SELECT payment_id, document_id, customer_id, match_rule, amount FROM {{ ref('int_bank_named_matches') }} WHERE amount > 0
),
taken AS (
  -- What receipts named took of each invoice, less what was given back by returns of them.
  SELECT n.document_id, sum(CASE WHEN r.returned_on IS NULL THEN n.amount ELSE 0 END) AS amount
  FROM named n JOIN {{ ref('int_bank_receipts') }} r ON r.payment_id = n.payment_id
  GROUP BY n.document_id
),
unnamed AS (
  SELECT r.payment_id, r.payment_date, r.amount, r.currency, r.iban_key, p.customer_id, p.iban_customers
  FROM {{ ref('int_bank_payers') }} p
  JOIN {{ ref('int_bank_receipts') }} r ON r.payment_id = p.payment_id
  WHERE r.amount > 0
),
candidates AS (
  SELECT u.payment_id, u.payment_date, d.document_id, d.customer_id,
         count(*) OVER (PARTITION BY u.payment_id) AS candidates
  FROM unnamed u
  JOIN {{ ref('int_bank_invoices') }} d ON d.customer_id = u.customer_id AND d.currency = u.currency
  LEFT JOIN taken t ON t.document_id = d.document_id
  WHERE d.invoice_date <= u.payment_date
    AND (d.settled_date IS NULL OR d.settled_date >= u.payment_date)
    AND d.open_amount - COALESCE(t.amount, 0) = u.amount
),
by_amount AS (
  SELECT payment_id, document_id, customer_id, candidates,
         row_number() OVER (PARTITION BY document_id ORDER BY payment_date, payment_id) AS pick
  FROM candidates
),
named_state AS (
  -- What a receipt without a match had named: open invoices of one customer, of several, or none open.
  SELECT payment_id,
         max(CASE WHEN is_open THEN 1 ELSE 0 END) AS names_open,
         count(DISTINCT CASE WHEN is_open THEN customer_id END) AS open_customers
  FROM {{ ref('int_bank_named') }}
  GROUP BY payment_id
),
forward AS (
  SELECT payment_id, document_id, customer_id, match_rule, CAST(amount AS DECIMAL(18,2)) AS amount, CAST(NULL AS VARCHAR) AS reason
  FROM named
  UNION ALL
  SELECT a.payment_id, a.document_id, a.customer_id, 'unique_amount' AS match_rule, CAST(u.amount AS DECIMAL(18,2)) AS amount,
         CAST(NULL AS VARCHAR) AS reason
  FROM by_amount a
  JOIN unnamed u ON u.payment_id = a.payment_id
  WHERE a.candidates = 1 AND a.pick = 1
  UNION ALL
  SELECT
    u.payment_id,
    CAST(NULL AS VARCHAR) AS document_id,
    u.customer_id,
    'unmatched' AS match_rule,
    CAST(0 AS DECIMAL(18,2)) AS amount,
    CASE
      WHEN n.open_customers > 1 THEN 'it names open invoices of several customers'
      WHEN n.names_open = 1 THEN 'the invoices it names were paid by earlier receipts'
      WHEN n.payment_id IS NOT NULL AND u.customer_id IS NULL
        THEN 'the invoices it names are not open for it (paid, settled, in another currency or issued later) and the payer is not known by IBAN'
      WHEN u.customer_id IS NULL AND u.iban_customers > 1
        THEN 'payer unknown: its IBAN is known for ' || CAST(u.iban_customers AS VARCHAR) || ' customers'
      WHEN u.customer_id IS NULL AND u.iban_key = '' THEN 'payer unknown: no reference, no invoice number and no IBAN'
      WHEN u.customer_id IS NULL THEN 'payer unknown: no reference or invoice number, and its IBAN is not known for a customer'
      WHEN c.candidates > 1 THEN 'the amount matches ' || CAST(c.candidates AS VARCHAR) || ' open invoices of the customer'
      WHEN c.candidates = 1 THEN 'the amount matches an open invoice an earlier receipt took'
      ELSE 'no open invoice of the customer for this amount'
    END AS reason
  FROM unnamed u
  LEFT JOIN named_state n ON n.payment_id = u.payment_id
  LEFT JOIN (SELECT payment_id, max(candidates) AS candidates FROM candidates GROUP BY payment_id) c ON c.payment_id = u.payment_id
  WHERE u.payment_id NOT IN (SELECT payment_id FROM by_amount WHERE candidates = 1 AND pick = 1)
),
returns AS (
  SELECT r.payment_id, r.payment_date, r.amount, r.e2e_key, r.returns_payment_id, p.customer_id AS payer_id
  FROM {{ ref('int_bank_receipts') }} r
  LEFT JOIN {{ ref('int_bank_payers') }} p ON p.payment_id = r.payment_id
  WHERE r.amount < 0 AND NOT r.erp_allocated
),
returned AS (
  SELECT t.payment_id, f.document_id, f.customer_id, f.amount
  FROM returns t
  JOIN forward f ON f.payment_id = t.returns_payment_id
)
SELECT payment_id, document_id, customer_id, match_rule, amount, reason FROM forward
UNION ALL
SELECT payment_id, document_id, customer_id, 'returned' AS match_rule, CAST(0 - amount AS DECIMAL(18,2)) AS amount, CAST(NULL AS VARCHAR) AS reason
FROM returned
WHERE document_id IS NOT NULL AND amount <> 0
UNION ALL
SELECT
  t.payment_id,
  CAST(NULL AS VARCHAR) AS document_id,
  COALESCE(rc.customer_id, t.payer_id) AS customer_id,
  'unmatched' AS match_rule,
  CAST(0 AS DECIMAL(18,2)) AS amount,
  CASE
    WHEN t.e2e_key = '' THEN 'a returned receipt without an end-to-end reference: the receipt it returns cannot be found'
    WHEN t.returns_payment_id IS NULL THEN 'a returned receipt whose original (same account, end-to-end reference ' || t.e2e_key || ', opposite amount) is not among the receipts'
    ELSE 'a returned receipt of a receipt that paid no invoice'
  END AS reason
FROM returns t
LEFT JOIN (SELECT payment_id, min(customer_id) AS customer_id FROM returned GROUP BY payment_id) rc ON rc.payment_id = t.payment_id
WHERE t.payment_id NOT IN (SELECT payment_id FROM returned WHERE document_id IS NOT NULL AND amount <> 0)
