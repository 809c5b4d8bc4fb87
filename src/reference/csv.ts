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
  return parseCsvFrom(text, delimiter, 1).records;
}

/**
 * One piece of a larger file, cut at the end of a record (./credit-report/text-chunks.ts):
 * `firstLine` is the file line it starts on; `nextLine` the line the next piece starts on.
 */
export function parseCsvFrom(text: string, delimiter: string, firstLine: number): { records: CsvRecord[]; nextLine: number } {
  const out: CsvRecord[] = [];
  const n = text.length;
  const delim = delimiter.charCodeAt(0);
  const newlines = (from: number, to: number) => {
    let c = 0;
    for (let k = text.indexOf('\n', from); k >= 0 && k < to; k = text.indexOf('\n', k + 1)) c++;
    return c;
  };
  // A byte-order mark is not part of the first header name.
  let i = firstLine === 1 && text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = firstLine;
  while (i < n) {
    const recordLine = line;
    const fields: string[] = [];
    for (;;) {
      let value: string;
      if (text.charCodeAt(i) === 34) {
        // Quoted field: runs to the next quote not doubled; line breaks inside are part of it.
        let j = i + 1;
        value = '';
        for (;;) {
          const q = text.indexOf('"', j);
          if (q < 0) {
            value += text.slice(j);
            line += newlines(j, n);
            i = n;
            break;
          }
          value += text.slice(j, q);
          line += newlines(j, q);
          if (text.charCodeAt(q + 1) === 34) {
            value += '"';
            j = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        // Anything between the closing quote and the delimiter is kept as typed.
        let k = i;
        while (k < n) {
          const c = text.charCodeAt(k);
          if (c === delim || c === 10 || c === 13) break;
          k++;
        }
        value += text.slice(i, k);
        i = k;
      } else {
        let k = i;
        while (k < n) {
          const c = text.charCodeAt(k);
          if (c === delim || c === 10 || c === 13) break;
          k++;
        }
        value = text.slice(i, k);
        i = k;
      }
      fields.push(value);
      if (i >= n) break;
      if (text.charCodeAt(i) === delim) {
        i++;
        if (i >= n) fields.push('');
        if (i >= n) break;
        continue;
      }
      i += text.charCodeAt(i) === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      line++;
      break;
    }
    // A blank line is not a record with one empty field.
    if (!(fields.length === 1 && fields[0] === '')) out.push({ line: recordLine, fields });
  }
  return { records: out, nextLine: line };
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
