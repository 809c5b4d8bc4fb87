import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withDuckDB } from '../../src/warehouse/duckdb/duckdb-engine.js';

/**
 * A tiny warehouse with the foundation marts written as plain tables, for API and browser tests
 * that must not wait for the generator. Values follow simple formulas so tests can recompute them.
 * 30 customers in 3 segments, 12 month ends (2024), 4 open documents per customer per month end.
 */
export async function writeFoundationFixture(lakeRoot = mkdtempSync(join(tmpdir(), 'creditlake-dash-'))): Promise<string> {
  await withDuckDB({ path: join(lakeRoot, 'warehouse.duckdb'), threads: 1 }, async (db) => {
    await db.execute(`
      CREATE TABLE customers AS
      SELECT printf('C%03d', i) AS customer_id,
             printf('Klant %03d B.V.', i) AS name,
             CASE WHEN i % 5 = 0 THEN 'BE' ELSE 'NL' END AS country,
             CASE i % 3 WHEN 0 THEN '4711' WHEN 1 THEN '6201' ELSE '1011' END AS sbi_code,
             CASE i % 3 WHEN 0 THEN 'enterprise' WHEN 1 THEN 'mid-market' ELSE 'small business' END AS segment,
             CASE i % 2 WHEN 0 THEN 'small' ELSE 'medium' END AS size_class,
             CAST(5000 + 1000 * i AS DECIMAL(18,2)) AS credit_limit,
             'EUR' AS currency, 30 AS payment_terms_days
      FROM range(1, 31) t(i);

      CREATE TABLE ar_open_items AS
      SELECT CAST(last_day(make_date(2024, m, 1)) AS DATE) AS as_of_date,
             printf('INV-%02d-%03d-%d', m, i, k) AS document_id,
             c.customer_id, c.segment,
             CAST(last_day(make_date(2024, m, 1)) - CAST((k * 17 + i) % 120 - 20 AS INTEGER) AS DATE) AS due_date,
             CAST(100 * i + 37.25 * k + m AS DECIMAL(18,2)) AS open_amount,
             (k * 17 + i) % 120 - 20 AS days_past_due
      FROM range(1, 13) a(m), range(1, 31) b(i), range(0, 4) d(k)
      JOIN customers c ON c.customer_id = printf('C%03d', i);

      ALTER TABLE ar_open_items ADD COLUMN bucket VARCHAR;
      UPDATE ar_open_items SET bucket = CASE
        WHEN days_past_due <= 0 THEN 'not due' WHEN days_past_due <= 14 THEN '1-14' WHEN days_past_due <= 30 THEN '15-30'
        WHEN days_past_due <= 60 THEN '31-60' WHEN days_past_due <= 90 THEN '61-90' ELSE '>90' END;

      CREATE TABLE ar_aging AS
      SELECT as_of_date, segment, bucket, CAST(SUM(open_amount) AS DECIMAL(18,2)) AS open_amount, COUNT(*) AS open_count
      FROM ar_open_items GROUP BY ALL
      UNION ALL
      SELECT as_of_date, 'ALL', bucket, CAST(SUM(open_amount) AS DECIMAL(18,2)), COUNT(*)
      FROM ar_open_items GROUP BY ALL;

      CREATE TABLE dso_monthly AS
      WITH base AS (
        SELECT make_date(2024, m, 1) AS month, s.segment,
               CAST(20000 + 1500 * m + 3000 * s.k AS DECIMAL(18,2)) AS credit_sales,
               CAST(30000 + 900 * m + 2000 * s.k AS DECIMAL(18,2)) AS ar_end,
               CAST(18000 + 400 * m + 1000 * s.k AS DECIMAL(18,2)) AS current_ar_end,
               day(last_day(make_date(2024, m, 1))) AS days
        FROM range(1, 13) a(m),
             (VALUES ('enterprise', 0), ('mid-market', 1), ('small business', 2)) s(segment, k)
      ), withall AS (
        SELECT * FROM base
        UNION ALL
        SELECT month, 'ALL', SUM(credit_sales), SUM(ar_end), SUM(current_ar_end), ANY_VALUE(days) FROM base GROUP BY month
      )
      SELECT month, segment, credit_sales, ar_end, current_ar_end,
             round(ar_end / credit_sales * days, 2) AS dso,
             round(ar_end / credit_sales * days, 2) + 3 AS dso_countback,
             round(current_ar_end / credit_sales * days, 2) AS bpdso,
             round((ar_end - current_ar_end) / credit_sales * days, 2) AS avg_days_delinquent,
             80.0 + month(month) AS cei,
             round(current_ar_end / ar_end * 100, 2) AS pct_current,
             round(ar_end / credit_sales * days, 2)
               - LAG(round(ar_end / credit_sales * days, 2)) OVER (PARTITION BY segment ORDER BY month) AS dso_change
      FROM withall;
    `);
  });
  return lakeRoot;
}
