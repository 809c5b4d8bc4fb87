import { basename } from 'node:path';
import { isIsoDate } from '../../schema/index.js';
import { MappingError } from './compile.js';
import type { Mapping } from './schema.js';

/**
 * An open-item export ("openstaande posten") lists what was open on one date. Its rows land in
 * open_item_snapshots with that date and a scope; the warehouse derives the settlements from
 * consecutive snapshots of the same scope (sql/intermediate/int_snapshot_events.sql). The date comes,
 * in this order, from a column the mapping maps to snapshot_date, from `ingest --as-of`, or from the
 * file name (exact-2024-02-16.csv, afas_20240216.csv, openstaande-posten 16-02-2024.xlsx).
 */

export interface SnapshotDate {
  date: string;
  from: 'column' | 'as-of' | 'file name';
}

/** The first calendar date in a file name: yyyy-mm-dd, yyyymmdd or dd-mm-yyyy (also with _ or .). */
export function dateFromFileName(file: string): string | undefined {
  const name = basename(file);
  const patterns: [RegExp, (m: RegExpExecArray) => string][] = [
    [/(?<!\d)(\d{4})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)/g, (m) => `${m[1]}-${m[2]}-${m[3]}`],
    [/(?<!\d)(\d{2})[-_.](\d{2})[-_.](\d{4})(?!\d)/g, (m) => `${m[3]}-${m[2]}-${m[1]}`],
  ];
  for (const [re, iso] of patterns) {
    for (const m of name.matchAll(re)) {
      const d = iso(m);
      if (isIsoDate(d)) return d;
    }
  }
  return undefined;
}

/**
 * The mapping as it applies to one file: a snapshot mapping gets its snapshot_date (when no column
 * gives it) and its scope (the mapping name, unless it maps one) as constants, so the rows land
 * complete and the batch key changes with the date. An events mapping is returned unchanged.
 */
export function mappingForFile(mapping: Mapping, file: string, asOf?: string): { mapping: Mapping; snapshot?: SnapshotDate } {
  if (mapping.kind !== 'open_items_snapshot') return { mapping };
  const target = mapping.tables.open_item_snapshots!;
  const columns = { ...target.columns };
  let snapshot: SnapshotDate;
  if (columns.snapshot_date !== undefined) snapshot = { date: '', from: 'column' };
  else {
    const date = asOf ?? dateFromFileName(file);
    if (!date) {
      throw new MappingError(
        `${basename(file)} is an open-item snapshot without a date: give --as-of YYYY-MM-DD, put the date in the file name (e.g. ${mapping.name}-2024-02-16.csv) or map a snapshot_date column`,
      );
    }
    if (!isIsoDate(date)) throw new MappingError(`--as-of must be a date as YYYY-MM-DD, got "${date}"`);
    columns.snapshot_date = { const: date };
    snapshot = { date, from: asOf ? 'as-of' : 'file name' };
  }
  if (columns.scope === undefined) columns.scope = { const: mapping.name };
  return { mapping: { ...mapping, tables: { ...mapping.tables, open_item_snapshots: { ...target, columns } } }, snapshot };
}
