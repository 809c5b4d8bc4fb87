import { parseArgs } from 'node:util';
import { UsageError } from '../command.js';

/**
 * What `creditlake ingest` needs to know of the mapped side (ERP exports, e-invoices) before loading
 * it: its usage text and whether the arguments are its. Kept apart from ingest-mapped.ts so that a
 * canonical `--table` ingest does not load the xlsx, XML and mapping code (start-up CPU per call).
 */
export const MAPPED_USAGE = `
ERP exports and e-invoices:
  creditlake ingest --mapping <preset|file.json|file.yaml> <file…> [--dry-run] [--sheet NAME]
      [--delimiter ';'] [--encoding windows-1252] [--date-format dd-mm-yyyy] [--decimal ,]
  creditlake ingest <file|folder…>           UBL 2.1 / Peppol BIS 3 / SI-UBL 2.0 / CII XML, by content
  --dry-run                 map and check, print the first rows as they would land and the rejects;
                            write nothing
  --rows <n>                rows shown by --dry-run (default 10)
  --mapping                 a preset (see \`creditlake mappings\`) or a mapping file
  --sheet <name>            xlsx: the sheet to read (default the first)
  --as-of <YYYY-MM-DD>      date of an open-item snapshot (kind open_items_snapshot: AFAS, Exact
                            Online, SAP FBL5N open items) when no column gives it; without it the
                            date is read from the file name (exact-2024-02-16.csv)
  --delimiter/--encoding/--date-format/--decimal   override the mapping's source settings`;

export const mappedOptions = {
  table: { type: 'string' },
  feed: { type: 'string' },
  'max-reject-rate': { type: 'string' },
  mapping: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  rows: { type: 'string' },
  sheet: { type: 'string' },
  delimiter: { type: 'string' },
  encoding: { type: 'string' },
  'date-format': { type: 'string' },
  decimal: { type: 'string' },
  'as-of': { type: 'string' },
} as const;

/**
 * Whether these arguments are a mapped ingest (--mapping, or files without --table/--feed: e-invoices),
 * decided leniently so options the canonical and feed paths add later never trip over this parser.
 */
export function isMappedIngest(argv: string[]): boolean {
  const loose = parseArgs({ args: argv, options: mappedOptions, allowPositionals: true, strict: false }).values;
  if ((loose.table || loose.feed) && !loose.mapping) {
    if (loose['dry-run']) throw new UsageError('--dry-run works with --mapping or e-invoices, not with --table or --feed');
    return false;
  }
  return true;
}
