import { beforeAll, describe, expect, it } from 'vitest';
import { allocation, buildFixture, customer, invoice, payment, type BuiltFixture } from '../helpers/warehouse.js';
import type { FixtureLedger } from '../helpers/lake-fixture.js';

/*
 * int_ar_open_changes adds customers up per profile (the same group in every grouping) before the
 * groups join. Customers A and B share a profile, C differs from them in country only, and D and E
 * have group values that run together the same way ('ab' + 'c' and 'a' + 'bc' as segment and
 * size_class): a profile written without each value's length would merge D and E, and every group
 * total of theirs would be wrong. Amounts are powers of two, so each total says who is in it.
 */
const ledger: FixtureLedger = {
  customers: [
    customer('A', 'smb'),
    customer('B', 'smb'),
    customer('C', 'smb', { country: 'BE' }),
    customer('D', 'ab', { size_class: 'c' }),
    customer('E', 'a', { size_class: 'bc' }),
  ],
  invoices: [
    invoice('IA', 'A', '2024-01-10', '2024-02-09', '1.00'),
    invoice('IB', 'B', '2024-01-10', '2024-02-09', '2.00'),
    invoice('IC', 'C', '2024-01-10', '2024-02-09', '4.00'),
    invoice('ID', 'D', '2024-01-10', '2024-02-09', '8.00'),
    invoice('IE', 'E', '2024-01-10', '2024-02-09', '16.00'),
  ],
  payments: [payment('PA', 'A', '2024-02-12', '1.00')],
  payment_allocations: [allocation('PA', 'IA', '1.00')],
};

describe('int_ar_open_changes per customer profile', () => {
  let f: BuiltFixture;
  beforeAll(async () => {
    f = await buildFixture(ledger);
  });

  it('gives every group the open AR of exactly its own customers', async () => {
    const rows = await f.query(
      `SELECT strftime(as_of_date, '%Y-%m-%d') AS as_of, group_by, group_value, CAST(sum(open_amount) AS VARCHAR) AS open_amount
       FROM ar_aging WHERE group_by IN ('ALL', 'segment', 'country', 'size_class')
       GROUP BY ALL HAVING sum(open_amount) <> 0 ORDER BY as_of, group_by, group_value`,
    );
    expect(rows).toEqual([
      { as_of: '2024-01-31', group_by: 'ALL', group_value: 'ALL', open_amount: '31.00' },
      { as_of: '2024-01-31', group_by: 'country', group_value: 'BE', open_amount: '4.00' },
      { as_of: '2024-01-31', group_by: 'country', group_value: 'NL', open_amount: '27.00' },
      { as_of: '2024-01-31', group_by: 'segment', group_value: 'a', open_amount: '16.00' },
      { as_of: '2024-01-31', group_by: 'segment', group_value: 'ab', open_amount: '8.00' },
      { as_of: '2024-01-31', group_by: 'segment', group_value: 'smb', open_amount: '7.00' },
      { as_of: '2024-01-31', group_by: 'size_class', group_value: 'bc', open_amount: '16.00' },
      { as_of: '2024-01-31', group_by: 'size_class', group_value: 'c', open_amount: '8.00' },
      { as_of: '2024-01-31', group_by: 'size_class', group_value: 'small', open_amount: '7.00' },
      { as_of: '2024-02-29', group_by: 'ALL', group_value: 'ALL', open_amount: '30.00' },
      { as_of: '2024-02-29', group_by: 'country', group_value: 'BE', open_amount: '4.00' },
      { as_of: '2024-02-29', group_by: 'country', group_value: 'NL', open_amount: '26.00' },
      { as_of: '2024-02-29', group_by: 'segment', group_value: 'a', open_amount: '16.00' },
      { as_of: '2024-02-29', group_by: 'segment', group_value: 'ab', open_amount: '8.00' },
      { as_of: '2024-02-29', group_by: 'segment', group_value: 'smb', open_amount: '6.00' },
      { as_of: '2024-02-29', group_by: 'size_class', group_value: 'bc', open_amount: '16.00' },
      { as_of: '2024-02-29', group_by: 'size_class', group_value: 'c', open_amount: '8.00' },
      { as_of: '2024-02-29', group_by: 'size_class', group_value: 'small', open_amount: '6.00' },
    ]);
  });

  it('agrees with ar_open_items summed per group at every month end (dso_monthly too)', async () => {
    const rows = await f.query(
      `WITH items AS (
         SELECT o.as_of_date, g.group_by, g.group_value, sum(o.open_amount) AS ar
         FROM ar_open_items o JOIN int_customer_groups g ON g.customer_id = o.customer_id GROUP BY ALL
       )
       SELECT d.month_end, d.group_by, d.group_value, d.ar_end, i.ar FROM dso_monthly d
       LEFT JOIN items i ON i.as_of_date = d.month_end AND i.group_by = d.group_by AND i.group_value = d.group_value
       WHERE d.group_by <> 'ALL' AND d.ar_end IS DISTINCT FROM COALESCE(i.ar, 0)`,
    );
    expect(rows).toEqual([]);
  });
});
