/**
 * Runs a synthesised Amazon States Language definition (JSONPath) on this machine, for the end-to-end
 * tests of the build state machine: Task, Pass, Choice, Wait, Map, Succeed and Fail states with
 * InputPath/Parameters/ItemSelector/ResultSelector/ResultPath/OutputPath, Retry and Catch, as the
 * states the stack's definition uses. Tasks are answered by local handlers per resource (the step
 * Lambda's handler, Athena's .sync integration over an Athena API client). Waits do not sleep (they are
 * recorded). Only the subset the stack uses: an unknown construct throws, so a definition change the
 * interpreter cannot follow fails the test instead of passing unnoticed.
 */

export class StatesError extends Error {
  readonly error: string;
  override readonly cause: string;
  constructor(error: string, cause: string) {
    super(`${error}: ${cause}`);
    this.error = error;
    this.cause = cause;
  }
}

/** Stops the whole execution where it is (as StopExecution would): nothing after it runs. */
export class ExecutionKilled extends Error {}

export interface RunOptions {
  /** Resource ARN (as rendered, references as `<…>`) → handler of the task's effective input. */
  resources: (resource: string) => ((input: any) => Promise<unknown>) | undefined;
  executionId?: string;
  /** Called before each state runs; throw ExecutionKilled to stop the execution there. */
  beforeState?: (name: string, input: any) => void | Promise<void>;
  /** Called before each retry of a state (the interpreter does not wait the interval). */
  onRetry?: (name: string, error: string, attempt: number) => void | Promise<void>;
  /** Waits seen (seconds), in order. */
  waits?: number[];
}

type Json = any;

function getPath(data: Json, path: string, context: Json): Json {
  if (path === '$') return data;
  if (path === '$$') return context;
  let cur: Json;
  let rest: string;
  if (path.startsWith('$$.')) {
    cur = context;
    rest = path.slice(3);
  } else if (path.startsWith('$.')) {
    cur = data;
    rest = path.slice(2);
  } else throw new Error(`unsupported path ${path}`);
  for (const part of rest.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new Error(`unsupported path ${path}`);
    if (cur === null || typeof cur !== 'object' || !(m[1]! in cur)) throw new StatesError('States.Runtime', `path ${path} not found in ${JSON.stringify(data).slice(0, 300)}`);
    cur = cur[m[1]!];
    for (const idx of m[2]!.match(/\d+/g) ?? []) cur = cur[Number(idx)];
  }
  return cur;
}

function has(data: Json, path: string): boolean {
  try {
    getPath(data, path, {});
    return true;
  } catch {
    return false;
  }
}

function intrinsic(expr: string, data: Json, context: Json): Json {
  const m = /^States\.JsonToString\((.+)\)$/.exec(expr);
  if (m) return JSON.stringify(getPath(data, m[1]!.trim(), context));
  throw new Error(`unsupported intrinsic ${expr}`);
}

function template(t: Json, data: Json, context: Json): Json {
  if (Array.isArray(t)) return t.map((x) => template(x, data, context));
  if (t === null || typeof t !== 'object') return t;
  const out: Json = {};
  for (const [k, v] of Object.entries(t)) {
    if (k.endsWith('.$')) {
      const expr = v as string;
      out[k.slice(0, -2)] = expr.startsWith('States.') ? intrinsic(expr, data, context) : getPath(data, expr, context);
    } else out[k] = template(v, data, context);
  }
  return out;
}

function setPath(data: Json, path: string | null | undefined, value: Json): Json {
  if (path === null) return data;
  if (path === undefined || path === '$') return value;
  if (!path.startsWith('$.')) throw new Error(`unsupported ResultPath ${path}`);
  const parts = path.slice(2).split('.');
  const root = data !== null && typeof data === 'object' && !Array.isArray(data) ? { ...data } : {};
  let cur = root;
  for (let i = 0; i < parts.length - 1; i++) {
    cur[parts[i]!] = cur[parts[i]!] && typeof cur[parts[i]!] === 'object' ? { ...cur[parts[i]!] } : {};
    cur = cur[parts[i]!];
  }
  cur[parts[parts.length - 1]!] = value;
  return root;
}

const matches = (list: string[], error: string) => list.includes('States.ALL') || list.includes(error) || (error.startsWith('States.') && list.includes('States.TaskFailed') && error === 'States.TaskFailed');

function errorOf(e: unknown): StatesError {
  if (e instanceof StatesError) return e;
  if (e instanceof ExecutionKilled) throw e;
  const err = e as Error;
  return new StatesError(err.name && err.name !== 'Error' ? err.name : 'Error', JSON.stringify({ errorMessage: err.message, errorType: err.name }));
}

export async function runStateMachine(definition: Json, input: Json, opts: RunOptions): Promise<Json> {
  const context = { Execution: { Id: opts.executionId ?? 'arn:aws:states:eu-west-1:123456789012:execution:creditlake-build:local' } };
  return runStates(definition, input, context, opts);
}

async function runStates(machine: Json, input: Json, context: Json, opts: RunOptions): Promise<Json> {
  let name: string = machine.StartAt;
  let data = input;
  for (;;) {
    const st = machine.States[name];
    if (!st) throw new Error(`no state ${name}`);
    await opts.beforeState?.(name, data);
    let next: string | undefined;
    let output: Json;
    try {
      const r = await runState(name, st, data, context, opts);
      output = r.output;
      next = r.next;
    } catch (e) {
      const err = errorOf(e);
      const c = (st.Catch ?? []).find((x: Json) => matches(x.ErrorEquals, err.error));
      if (!c) throw err;
      output = setPath(data, c.ResultPath, { Error: err.error, Cause: err.cause });
      next = c.Next;
    }
    data = output;
    if (st.Type === 'Succeed' || st.End || (!next && st.Type !== 'Choice')) return data;
    name = next!;
  }
}

async function runState(name: string, st: Json, data: Json, context: Json, opts: RunOptions): Promise<{ output: Json; next?: string }> {
  const effective = st.InputPath === undefined ? data : st.InputPath === null ? {} : getPath(data, st.InputPath, context);
  const finishWith = (result: Json) => {
    let r = st.ResultSelector ? template(st.ResultSelector, result, context) : result;
    r = setPath(data, st.ResultPath, r);
    return { output: st.OutputPath ? getPath(r, st.OutputPath, context) : r, next: st.Next };
  };
  switch (st.Type) {
    case 'Pass': {
      const result = st.Parameters ? template(st.Parameters, effective, context) : st.Result ?? effective;
      return finishWith(result);
    }
    case 'Succeed':
      return { output: st.OutputPath ? getPath(effective, st.OutputPath, context) : effective };
    case 'Fail':
      throw new StatesError(st.Error ?? (st.ErrorPath ? getPath(data, st.ErrorPath, context) : 'Failed'), st.Cause ?? (st.CausePath ? (st.CausePath.startsWith('States.') ? intrinsic(st.CausePath, data, context) : getPath(data, st.CausePath, context)) : ''));
    case 'Wait': {
      const s = st.Seconds ?? getPath(data, st.SecondsPath, context);
      opts.waits?.push(Number(s));
      return { output: data, next: st.Next };
    }
    case 'Choice': {
      for (const c of st.Choices) {
        if (choose(c, data, context)) return { output: data, next: c.Next };
      }
      if (!st.Default) throw new StatesError('States.NoChoiceMatched', name);
      return { output: data, next: st.Default };
    }
    case 'Task': {
      const params = st.Parameters ? template(st.Parameters, effective, context) : effective;
      const handler = opts.resources(st.Resource);
      if (!handler) throw new Error(`no local handler for ${st.Resource}`);
      for (let attempt = 0; ; attempt++) {
        try {
          return finishWith(await handler(params));
        } catch (e) {
          const err = errorOf(e);
          const r = (st.Retry ?? []).find((x: Json) => matches(x.ErrorEquals, err.error));
          const max = r ? (r.MaxAttempts ?? 3) : 0;
          if (!r || attempt >= max) throw err;
          await opts.onRetry?.(name, err.error, attempt + 1);
        }
      }
    }
    case 'Map': {
      const items = getPath(effective, st.ItemsPath ?? '$', context) as Json[];
      const processor = st.ItemProcessor ?? st.Iterator;
      const limit = st.MaxConcurrency || items.length || 1;
      const results: Json[] = new Array(items.length);
      let nextIndex = 0;
      const worker = async () => {
        while (nextIndex < items.length) {
          const i = nextIndex++;
          const itemContext = { ...context, Map: { Item: { Index: i, Value: items[i] } } };
          const itemInput = st.ItemSelector ?? st.Parameters ? template(st.ItemSelector ?? st.Parameters, effective, itemContext) : items[i];
          results[i] = await runStates(processor, itemInput, itemContext, opts);
        }
      };
      await Promise.all(Array.from({ length: Math.min(limit, Math.max(1, items.length)) }, worker));
      return finishWith(results);
    }
    default:
      throw new Error(`unsupported state type ${st.Type} (${name})`);
  }
}

function choose(c: Json, data: Json, context: Json): boolean {
  if (c.And) return c.And.every((x: Json) => choose(x, data, context));
  if (c.Or) return c.Or.some((x: Json) => choose(x, data, context));
  if (c.Not) return !choose(c.Not, data, context);
  if ('IsPresent' in c) return has(data, c.Variable) === c.IsPresent;
  const v = has(data, c.Variable) ? getPath(data, c.Variable, context) : undefined;
  if ('BooleanEquals' in c) return v === c.BooleanEquals;
  if ('StringEquals' in c) return v === c.StringEquals;
  throw new Error(`unsupported choice rule ${JSON.stringify(c)}`);
}
