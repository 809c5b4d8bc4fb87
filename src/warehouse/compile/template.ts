/**
 * The model template language: plain SQL with `{{ name(arg, …) }}` calls. Arguments are single-quoted
 * strings ('' escapes a quote) or numbers; nothing else, so a template is data, not code, and the
 * dependencies of a model can be read without running anything.
 */

export type TemplateArg = string | number;

export interface TemplateCall {
  name: string;
  args: TemplateArg[];
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

function parseArgs(body: string, where: string): TemplateArg[] {
  const args: TemplateArg[] = [];
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

export type TemplateFunction = (...args: TemplateArg[]) => string;

/** Replaces every call with what its function returns; unknown names are an error naming the line. */
export function renderTemplate(parts: readonly TemplatePart[], fns: Readonly<Record<string, TemplateFunction>>, file: string): string {
  return parts
    .map((p) => {
      if ('text' in p) return p.text;
      const fn = Object.hasOwn(fns, p.call.name) ? fns[p.call.name] : undefined;
      if (!fn) throw new TemplateError(`${file}:${p.call.line}: unknown template function ${p.call.name}(); known: ${Object.keys(fns).sort().join(', ')}`);
      try {
        return fn(...p.call.args);
      } catch (e) {
        throw new TemplateError(`${file}:${p.call.line}: ${p.call.name}(): ${(e as Error).message}`);
      }
    })
    .join('');
}

/** The string arguments of every call to `name` (e.g. the refs of a model). */
export function callArgs(parts: readonly TemplatePart[], name: string): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if ('call' in p && p.call.name === name) {
      const a = p.call.args[0];
      if (typeof a !== 'string') throw new TemplateError(`line ${p.call.line}: ${name}() takes a quoted name`);
      out.push(a);
    }
  }
  return out;
}
