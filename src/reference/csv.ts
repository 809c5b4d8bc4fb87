/**
 * A small RFC 4180 reader for the reference files and provider CSVs (quoted fields, doubled quotes,
 * commas/semicolons and newlines inside quotes, CRLF). Bulk ERP files go through DuckDB instead; these
 * files are small and need exact control over footers and odd lines.
 */
export interface CsvRecord {
  /** 1-based line number where the record starts in the file. */
  line: number;
  fields: string[];
}

export function parseCsv(text: string, delimiter = ','): CsvRecord[] {
  const out: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  // A byte-order mark is not part of the first header name.
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  const endRecord = () => {
    fields.push(field);
    // A blank line is not a record with one empty field.
    if (!(fields.length === 1 && fields[0] === '')) out.push({ line: recordLine, fields });
    fields = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (ch === '\n') line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field === '') {
      quoted = true;
    } else if (ch === delimiter) {
      fields.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += ch;
    }
  }
  if (field !== '' || fields.length > 0) endRecord();
  return out;
}

/** Records as objects keyed by the header row; extra fields are ignored, missing ones are ''. */
export function csvObjects(text: string, delimiter = ','): { header: string[]; rows: { line: number; values: Record<string, string> }[] } {
  const recs = parseCsv(text, delimiter);
  const header = (recs[0]?.fields ?? []).map((h) => h.trim());
  const rows = recs.slice(1).map((r) => ({
    line: r.line,
    values: Object.fromEntries(header.map((h, j) => [h, r.fields[j] ?? ''])),
  }));
  return { header, rows };
}
