/**
 * What a build cost on Athena: bytes scanned as Athena bills them (each query rounded up to 10 MB),
 * at the list price of USD 5 per TB scanned (engine v3, most regions). DDL that scans nothing (CREATE
 * VIEW, DROP TABLE) is free.
 */
export const USD_PER_TB = 5;
export const MIN_BILLED_BYTES = 10 * 1024 * 1024;
const TB = 1024 ** 4;

export interface ScanTotals {
  queries: number;
  /** Bytes Athena reported as scanned. */
  bytesScanned: number;
  /** Bytes billed: per query at least 10 MB when it scanned anything. */
  bytesBilled: number;
}

export function emptyTotals(): ScanTotals {
  return { queries: 0, bytesScanned: 0, bytesBilled: 0 };
}

export function addQuery(t: ScanTotals, bytes: number | undefined): void {
  const b = Math.max(0, bytes ?? 0);
  t.queries++;
  t.bytesScanned += b;
  if (b > 0) t.bytesBilled += Math.max(b, MIN_BILLED_BYTES);
}

export function estimatedUsd(t: ScanTotals, usdPerTb = USD_PER_TB): number {
  return (t.bytesBilled / TB) * usdPerTb;
}

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${UNITS[u]}`;
}

/** One line for people: `scanned 1.2 GB in 205 queries (billed 3.1 GB), estimated $0.0151`. */
export function costLine(t: ScanTotals): string {
  const usd = estimatedUsd(t);
  return `scanned ${formatBytes(t.bytesScanned)} in ${t.queries} queries (billed ${formatBytes(t.bytesBilled)}), estimated $${usd < 0.01 ? usd.toFixed(4) : usd.toFixed(2)} at $${USD_PER_TB}/TB`;
}
