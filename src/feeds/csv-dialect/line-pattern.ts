import { RE2JS } from 're2js';

/**
 * Line patterns from mapping files (`skip_lines_matching`) run in RE2 (re2js, a pure-JS port):
 * matching takes time linear in the line, so a pattern such as `(a+)+$` handed over in a customer's
 * mapping cannot hang an ingest. Backreferences and look-arounds, which need backtracking, are
 * refused with the reason.
 */
export class LinePatternError extends Error {}

export function compileLinePattern(pattern: string, setting: string): (line: string) => boolean {
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    throw new LinePatternError(`${setting}: invalid pattern ${JSON.stringify(pattern)}: ${(e as Error).message.replace(/^error parsing regexp: /, '')}`);
  }
  return (line) => re.test(line);
}

/** The problem with a pattern, or undefined when it compiles (for schema validation). */
export function linePatternProblem(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    return `not a valid pattern (RE2 syntax; no look-arounds or backreferences): ${(e as Error).message.replace(/^error parsing regexp: /, '')}`;
  }
}
