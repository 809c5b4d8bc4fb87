import { col } from '../columns.js';

/**
 * The customer-group columns of the grouped marts (int_customer_groups plus the 'ALL' total), in the
 * order the SQL selects them. One definition, so a new grouping is described in one place.
 */
export const customerGroupColumns = {
  group_by: col.text("Customer grouping: segment, sbi_section, country, size_class, score_band (common band of the latest credit report), or 'ALL' for the total"),
  group_value: col.text("Value of the grouping (e.g. the segment name or SBI section letter); 'ALL' on total rows"),
  segment: col.optional(col.text("Segment for group_by segment rows, 'ALL' on totals, empty for other groupings")),
};
