import { basename, join } from 'node:path';
import { normalizeCsv, recordTexts, type NormalizeOptions } from '../csv-dialect/normalize.js';
import type { NormalizedSource } from './stage.js';
import type { Mapping } from './schema.js';

/** Turns one CSV export into the normalized source the mapping stage reads (see csv-dialect/normalize.ts). */
export async function prepareCsv(
  mapping: Mapping,
  file: string,
  scratchDir: string,
  onProgress?: (fraction: number) => void,
  limits: { maxRecordChars?: number } = {},
): Promise<NormalizedSource> {
  const out = join(scratchDir, 'normalized.csv');
  const rejects = join(scratchDir, 'pre-rejects.csv');
  const read: NormalizeOptions = {
    delimiter: mapping.source.delimiter,
    encoding: mapping.source.encoding,
    headerRow: mapping.source.header_row,
    skipLinesMatching: mapping.source.skip_lines_matching,
    maxRecordChars: limits.maxRecordChars,
    invalidBytes: 'fail',
  };
  const r = await normalizeCsv(file, out, rejects, { ...read, onProgress: onProgress && ((done, total) => onProgress(total ? done / total : 1)) });
  const notes = [...r.notes];
  if (r.blankLines) notes.push(`skipped ${r.blankLines} blank line(s)`);
  if (r.skippedLines) notes.push(`skipped ${r.skippedLines} line(s) above the header or matching skip_lines_matching`);
  if (r.dataLines > r.rows) notes.push(`${r.dataLines - r.rows} line break(s) inside quoted values (${r.rows} rows on ${r.dataLines} lines)`);
  return {
    file: out,
    delimiter: r.delimiter,
    header: r.header,
    rejectsFile: rejects,
    rows: r.rows,
    physicalLines: r.physicalLines,
    rejected: r.rejected,
    sourceName: basename(file),
    notes,
    layout: r.layout,
    // The delimiter and encoding as found, so the second pass cannot guess differently.
    recordTexts: (lines, onRecord) => recordTexts(file, { ...read, delimiter: r.delimiter, encoding: r.layout.encoding }, lines, onRecord),
  };
}
