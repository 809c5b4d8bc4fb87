/**
 * The model template language: plain SQL with `{{ name(arg, …) }}` calls. Arguments are single-quoted
 * strings ('' escapes a quote), numbers, or nested calls (`{{ add_days('d', var('grace_days')) }}`,
 * whose SQL text becomes the argument); nothing else, so a template is data, not code, and the
 * dependencies of a model can be read without running anything.
 */

export type TemplateArg = string | number;

export interface TemplateCall {
  name: string;
  args: (TemplateArg | TemplateCall)[];
  /** 1-based line of the call, for error messages. */
  line: number;
}

export type TemplatePart = { text: string } | { call: TemplateCall };

export class TemplateError extends Error {}

const CALL = /\{\{([\s\S]*?)\}\}/g;

export function parseTemplate(source: string, file = '<model>'): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of source.matchAll(CALL)) {
    const start = m.index!;
    if (start > last) parts.push({ text: source.slice(last, start) });
    const line = source.slice(0, start).split('\n').length;
    parts.push({ call: parseCall(m[1]!.trim(), `${file}:${line}`, line) });
    last = start + m[0].length;
  }
  if (last < source.length) parts.push({ text: source.slice(last) });
  const stray = parts.find((p) => 'text' in p && /\{\{|\}\}/.test(p.text));
  if (stray) throw new TemplateError(`${file}: unbalanced {{ }}`);
  return parts;
}

function parseCall(expr: string, where: string, line: number): TemplateCall {
  const head = /^([a-z_][a-z0-9_]*)\s*\(/i.exec(expr);
  if (!head || !expr.endsWith(')')) throw new TemplateError(`${where}: expected {{ name(args) }}, got {{ ${expr} }}`);
  const body = expr.slice(head[0].length, -1);
  return { name: head[1]!, args: parseArgs(body, where), line };
}

function parseArgs(body: string, where: string): (TemplateArg | TemplateCall)[] {
  const args: (TemplateArg | TemplateCall)[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < body.length && /\s/.test(body[i]!)) i++;
  };
  skipSpace();
  if (i === body.length) return args;
  for (;;) {
    skipSpace();
    if (body[i] === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= body.length) throw new TemplateError(`${where}: unterminated string argument`);
        if (body[i] === "'") {
          if (body[i + 1] === "'") {
            value += "'";
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += body[i++];
      }
      args.push(value);
    } else if (/^[a-z_][a-z0-9_]*\s*\(/i.test(body.slice(i))) {
      const end = closingParen(body, body.indexOf('(', i), where);
      args.push(parseCall(body.slice(i, end + 1), where, 0));
      i = end + 1;
    } else {
      const num = /^-?\d+(\.\d+)?/.exec(body.slice(i));
      if (!num) throw new TemplateError(`${where}: arguments must be 'quoted strings' or numbers near "${body.slice(i, i + 20)}"`);
      args.push(Number(num[0]));
      i += num[0].length;
    }
    skipSpace();
    if (i === body.length) return args;
    if (body[i] !== ',') throw new TemplateError(`${where}: expected , between arguments near "${body.slice(i, i + 20)}"`);
    i++;
  }
}

/** Index of the parenthesis closing the one at `open`, skipping quoted strings. */
function closingParen(body: string, open: number, where: string): number {
  let depth = 0;
  let quoted = false;
  for (let j = open; j < body.length; j++) {
    const ch = body[j];
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')' && --depth === 0) return j;
  }
  throw new TemplateError(`${where}: unclosed ( in a nested call`);
}

export type TemplateFunction = (...args: TemplateArg[]) => string;

function evaluate(call: TemplateCall, fns: Readonly<Record<string, TemplateFunction>>, file: string, line: number): string {
  const fn = Object.hasOwn(fns, call.name) ? fns[call.name] : undefined;
  if (!fn) throw new TemplateError(`${file}:${line}: unknown template function ${call.name}(); known: ${Object.keys(fns).sort().join(', ')}`);
  const args = call.args.map((a) => (typeof a === 'object' ? evaluate(a, fns, file, line) : a));
  try {
    return fn(...args);
  } catch (e) {
    if (e instanceof TemplateError) throw e;
    throw new TemplateError(`${file}:${line}: ${call.name}(): ${(e as Error).message}`);
  }
}

/** Replaces every call with what its function returns; unknown names are an error naming the line. */
export function renderTemplate(parts: readonly TemplatePart[], fns: Readonly<Record<string, TemplateFunction>>, file: string): string {
  return parts
    .map((p) => {
      if ('text' in p) return p.text;
      return evaluate(p.call, fns, file, p.call.line);
    })
    .join('');
}

/** The string arguments of every call to `name` (e.g. the refs of a model). */
export function callArgs(parts: readonly TemplatePart[], name: string): string[] {
  const out: string[] = [];
  const visit = (call: TemplateCall, line: number) => {
    if (call.name === name) {
      const a = call.args[0];
      if (typeof a !== 'string') throw new TemplateError(`line ${line}: ${name}() takes a quoted name`);
      out.push(a);
    }
    for (const a of call.args) if (typeof a === 'object') visit(a, line);
  };
  for (const p of parts) if ('call' in p) visit(p.call, p.call.line);
  return out;
}
