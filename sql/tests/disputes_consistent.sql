-- Ledger integrity of disputes (issue 11): a dispute names a document that exists, of the customer it
-- names, and disputes at most the document's amount. The marts join disputes to documents, so a
-- dispute of an unknown document counts nowhere; this test names it rather than silently absorb it.
WITH d AS (
  SELECT s.dispute_id, s.document_id, s.customer_id, s.disputed_amount,
         i.document_id AS known_document, i.customer_id AS document_customer, i.amount AS document_amount
  FROM {{ ref('stg_disputes') }} s
  LEFT JOIN {{ ref('stg_invoices') }} i ON i.document_id = s.document_id
)
SELECT dispute_id, document_id, 'document ' || document_id || ' does not exist' AS problem
FROM d WHERE known_document IS NULL
UNION ALL
SELECT dispute_id, document_id,
       'customer ' || customer_id || ' is not the debtor of document ' || document_id || ' (' || document_customer || ')'
FROM d WHERE known_document IS NOT NULL AND customer_id <> document_customer
UNION ALL
SELECT dispute_id, document_id,
       'disputed ' || CAST(disputed_amount AS VARCHAR) || ' exceeds the document amount ' || CAST(abs(document_amount) AS VARCHAR)
FROM d WHERE known_document IS NOT NULL AND disputed_amount > abs(document_amount)
