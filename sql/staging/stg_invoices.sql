-- invoices: typed, one row per key; the latest ingested version wins (ingest day, then batch file name).
-- Documents known only from open-item snapshots (stg_open_item_snapshots) are added: the invoices
-- table's own rows win, so a ledger loaded both ways counts each document once. A snapshot document
-- takes its attributes from its latest snapshot and its amount from the original amount where the
-- export shows one, else from the open amount when first seen; int_snapshot_events derives what was
-- settled of it, and when.
WITH ledger AS (
  SELECT {{ canonical_columns('invoices', 'ranked') }}
  FROM {{ latest_versions('invoices') }} ranked
),
observed AS (
  SELECT
    s.*,
    row_number() OVER (PARTITION BY s.document_id ORDER BY s.snapshot_date DESC, s.scope DESC) AS latest_rank,
    row_number() OVER (PARTITION BY s.document_id ORDER BY s.snapshot_date, s.scope) AS first_rank
  FROM {{ ref('stg_open_item_snapshots') }} s
  WHERE s.document_id NOT IN (SELECT document_id FROM ledger)
    -- a line with nothing open and no original amount says nothing about a document
    AND (s.open_amount <> 0 OR s.original_amount IS NOT NULL)
),
snapshot_documents AS (
  SELECT
    l.document_id,
    l.customer_id,
    l.document_type,
    l.invoice_date,
    l.due_date,
    l.currency,
    CAST(COALESCE(l.original_amount, f.open_amount) AS DECIMAL(18,2)) AS amount,
    l.settled_date,
    CAST(NULL AS VARCHAR) AS corrects_document_id,
    -- an open-item export does not say how the document was sent
    CAST(NULL AS VARCHAR) AS delivery_channel,
    CAST(NULL AS VARCHAR) AS payment_reference
  FROM observed l
  JOIN observed f ON f.document_id = l.document_id AND f.first_rank = 1
  WHERE l.latest_rank = 1
)
SELECT {{ canonical_columns('invoices', 'ledger') }} FROM ledger
UNION ALL
SELECT {{ canonical_columns('invoices', 'snapshot_documents') }} FROM snapshot_documents
