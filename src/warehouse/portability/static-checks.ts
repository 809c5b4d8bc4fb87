/**
 * Static checks for SQL that gives different numbers on DuckDB and Trino/Athena, run on compiled
 * statements (models and dashboard slices) by the tests:
 *   - a division must be the `ratio()` form (`/ NULLIF(CAST(… AS DOUBLE), 0)`: DOUBLE on both
 *     engines, NULL instead of Trino's division-by-zero error or DuckDB's Infinity) or divide by a
 *     positive numeric literal cast to DOUBLE (`int_div`). A bare `/` divides decimals into a rounded
 *     DECIMAL on Trino and a DOUBLE on DuckDB, and integers into an integer on Trino only;
 *   - a cast of a fractional value to INTEGER/BIGINT must round explicitly (round, floor, ceil,
 *     trunc): Trino rounds half up, DuckDB half to even.
 */
export interface PortabilityProblem {
  rule: 'unguarded-division' | 'unrounded-integer-cast';
  /** The offending text, shortened. */
  excerpt: string;
}

/** SQL with comments removed and string literals blanked (their length kept), so `/` in text is not seen. */
export function codeOnly(sql: string): string {
  return sql.replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'/g, (m) => (m.startsWith("'") ? `'${' '.repeat(Math.max(0, m.length - 2))}'` : ' '.repeat(m.length)));
}

const GUARDED_DIVISOR = /^\s*(NULLIF\s*\(|CAST\s*\(\s*\d+(\.\d+)?\s+AS\s+DOUBLE\s*\))/i;
const ROUNDED = /^\s*(round|floor|ceil|ceiling|trunc|truncate)\s*\(/i;
const FRACTIONAL = /\bAS\s+DOUBLE\b|\bAS\s+REAL\b|\/|\bavg\s*\(|\bpercentile|\bquantile|\bstddev|\bpower\s*\(|\bsqrt\s*\(/i;

function excerpt(text: string, at: number): string {
  return text.slice(Math.max(0, at - 60), at + 60).replace(/\s+/g, ' ').trim();
}

/** Blanks sub-expressions that are already whole numbers (rounded, or cast to an integer type). */
function withoutIntegerParts(expr: string): string {
  let out = expr;
  const starts = /\b(round|floor|ceil|ceiling|trunc|truncate)\s*\(|\bCAST\s*\(/gi;
  for (let m = starts.exec(out); m; m = starts.exec(out)) {
    if (m.index === 0 && ROUNDED.test(out)) continue;
    let depth = 1;
    let j = m.index + m[0].length;
    for (; j < out.length && depth > 0; j++) {
      if (out[j] === '(') depth++;
      else if (out[j] === ')') depth--;
    }
    const inner = out.slice(m.index + m[0].length, j - 1);
    const integerCast = /^CAST/i.test(m[0]) && /\s+AS\s+(INTEGER|BIGINT|SMALLINT|INT)\s*$/i.test(inner);
    if (!/^CAST/i.test(m[0]) || integerCast) out = `${out.slice(0, m.index)}${' '.repeat(j - m.index)}${out.slice(j)}`;
  }
  return out;
}

export function portabilityProblems(sql: string): PortabilityProblem[] {
  const code = codeOnly(sql);
  const problems: PortabilityProblem[] = [];
  for (let i = code.indexOf('/'); i >= 0; i = code.indexOf('/', i + 1)) {
    if (!GUARDED_DIVISOR.test(code.slice(i + 1))) problems.push({ rule: 'unguarded-division', excerpt: excerpt(code, i) });
  }
  // CAST( … AS INTEGER|BIGINT|SMALLINT ) with its balanced body.
  const castRe = /\bCAST\s*\(/gi;
  for (let m = castRe.exec(code); m; m = castRe.exec(code)) {
    let depth = 1;
    let j = m.index + m[0].length;
    for (; j < code.length && depth > 0; j++) {
      if (code[j] === '(') depth++;
      else if (code[j] === ')') depth--;
    }
    const body = code.slice(m.index + m[0].length, j - 1);
    const as = /\s+AS\s+(INTEGER|BIGINT|SMALLINT|INT)\s*$/i.exec(body);
    if (!as) continue;
    const value = withoutIntegerParts(body.slice(0, as.index));
    if (FRACTIONAL.test(value) && !ROUNDED.test(value)) problems.push({ rule: 'unrounded-integer-cast', excerpt: excerpt(code, m.index) });
  }
  return problems;
}
