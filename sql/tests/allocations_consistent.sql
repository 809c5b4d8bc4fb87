-- Ledger integrity of payment allocations (issue 11): every allocation names a payment and a document
-- that exist, and no payment is allocated beyond its amount. Every figure treats a bad allocation the
-- same way (the event ledger leaves an orphan allocation out, so its cash stays unapplied and its
-- document open), but a ledger that carries one is wrong at the source: this test names each with the
-- problem, so it is fixed there rather than silently absorbed.
WITH alloc AS (
  SELECT a.payment_id, a.document_id, a.amount, p.payment_id AS known_payment, p.amount AS payment_amount,
         d.document_id AS known_document
  FROM {{ ref('stg_payment_allocations') }} a
  LEFT JOIN {{ ref('stg_payments') }} p ON p.payment_id = a.payment_id
  LEFT JOIN {{ ref('stg_invoices') }} d ON d.document_id = a.document_id
)
SELECT payment_id, document_id, CAST(amount AS VARCHAR) AS amount,
       'payment ' || payment_id || ' does not exist (allocation left out: the document stays open)' AS problem
FROM alloc WHERE known_payment IS NULL
UNION ALL
SELECT payment_id, document_id, CAST(amount AS VARCHAR),
       'document ' || document_id || ' does not exist (allocation left out: the cash stays unapplied)'
FROM alloc WHERE known_payment IS NOT NULL AND known_document IS NULL
UNION ALL
SELECT payment_id, CAST(NULL AS VARCHAR), CAST(sum(amount) AS VARCHAR),
       'allocated ' || CAST(sum(amount) AS VARCHAR) || ' of payment ' || payment_id || ' of ' || CAST(max(payment_amount) AS VARCHAR)
FROM alloc WHERE known_payment IS NOT NULL
GROUP BY payment_id
-- a refund (negative payment) is allocated in negative amounts, in all at most its own amount; a
-- line of the other sign is allowed (a receipt clearing an invoice and a credit note together)
HAVING (max(payment_amount) > 0 AND sum(amount) > max(payment_amount))
    OR (max(payment_amount) < 0 AND sum(amount) < max(payment_amount))
