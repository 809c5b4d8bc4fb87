/**
 * Aging buckets derived from config `aging.bucket_edges` (upper edges, inclusive, in days past due).
 * Default edges [14, 30, 60, 90] give: not due, 1-14, 15-30, 31-60, 61-90, >90.
 */

export const NOT_DUE = 'not due';
export const UNAPPLIED_CASH_BUCKET = 'unapplied cash';
/**
 * A document whose open amount is negative (over-credited, an unlinked credit note, overpaid): money
 * the company owes the customer, aged apart like unapplied cash and never inside an overdue bucket.
 */
export const CREDIT_BALANCE_BUCKET = 'credit balance';

export interface AgingBucket {
  label: string;
  order: number;
  /** Inclusive day range; `max` undefined for the open-ended last bucket. */
  min?: number;
  max?: number;
}

export function agingBuckets(edges: readonly number[]): AgingBucket[] {
  const buckets: AgingBucket[] = [{ label: NOT_DUE, order: 0, max: 0 }];
  let lo = 1;
  edges.forEach((edge, i) => {
    buckets.push({ label: `${lo}-${edge}`, order: i + 1, min: lo, max: edge });
    lo = edge + 1;
  });
  const last = edges[edges.length - 1] ?? 0;
  buckets.push({ label: `>${last}`, order: edges.length + 1, min: last + 1 });
  return buckets;
}

/** Every bucket a mart can contain: the debit buckets, then unapplied cash and credit balances. */
export function allBuckets(edges: readonly number[]): AgingBucket[] {
  const b = agingBuckets(edges);
  return [...b, { label: UNAPPLIED_CASH_BUCKET, order: b.length }, { label: CREDIT_BALANCE_BUCKET, order: b.length + 1 }];
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** CASE expression mapping days past due to a bucket label (or its order). */
export function bucketCase(expr: string, edges: readonly number[], what: 'label' | 'order'): string {
  const buckets = agingBuckets(edges);
  const value = (b: AgingBucket) => (what === 'label' ? sqlString(b.label) : String(b.order));
  const whens = buckets.slice(0, -1).map((b) => `WHEN ${expr} <= ${b.max} THEN ${value(b)}`);
  return `CASE ${whens.join(' ')} ELSE ${value(buckets[buckets.length - 1]!)} END`;
}

/** `(VALUES ('not due', 0), …)`: a relation of all buckets, for dense aging tables. */
export function bucketValues(edges: readonly number[]): string {
  return `(VALUES ${allBuckets(edges).map((b) => `(${sqlString(b.label)}, ${b.order})`).join(', ')})`;
}
