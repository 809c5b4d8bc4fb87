import type { Model } from './project.js';

export class GraphError extends Error {}

/** A `--select` that names no model or is malformed: the user's mistake, not the project's. */
export class SelectorError extends GraphError {}

const KIND_RANK: Record<Model['kind'], number> = { staging: 0, intermediate: 1, marts: 2, tests: 3 };

/** Throws on a ref to a missing model or on a cycle, spelling the cycle out (a → b → a). */
function checkGraph(models: readonly Model[], byName: ReadonlyMap<string, Model>): void {
  for (const m of models) {
    for (const r of m.refs) if (!byName.has(r)) throw new GraphError(`${m.path}: ref('${r}') names no model`);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (m: Model) => {
    const s = state.get(m.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...stack.slice(stack.indexOf(m.name)), m.name];
      throw new GraphError(`dependency cycle: ${cycle.join(' → ')}`);
    }
    state.set(m.name, 'visiting');
    stack.push(m.name);
    for (const r of [...m.refs].sort()) visit(byName.get(r)!);
    stack.pop();
    state.set(m.name, 'done');
  };
  for (const m of [...models].sort((a, b) => a.name.localeCompare(b.name))) visit(m);
}

/**
 * Models in build order: every model after the models it refs. Among models that are ready, staging
 * comes first, then intermediate models, marts and tests, each by name, so the order is stable.
 */
export function buildOrder(models: readonly Model[]): Model[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  checkGraph(models, byName);
  const waiting = new Map(models.map((m) => [m.name, new Set(m.refs)]));
  const order: Model[] = [];
  const rank = (m: Model) => KIND_RANK[m.kind];
  while (waiting.size) {
    const ready = [...waiting.entries()].filter(([, deps]) => deps.size === 0).map(([n]) => byName.get(n)!);
    ready.sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
    const next = ready[0]!;
    order.push(next);
    waiting.delete(next.name);
    for (const deps of waiting.values()) deps.delete(next.name);
  }
  return order;
}

function closure(start: string, next: (name: string) => readonly string[]): Set<string> {
  const out = new Set<string>([start]);
  const todo = [start];
  while (todo.length) {
    for (const n of next(todo.pop()!)) {
      if (!out.has(n)) {
        out.add(n);
        todo.push(n);
      }
    }
  }
  return out;
}

/**
 * Resolves `--select` selectors: `m` (the model), `m+` (it and everything downstream),
 * `+m` (it and everything it depends on), `+m+` (both). Several selectors union.
 */
export function selectModels(models: readonly Model[], selectors: readonly string[]): Set<string> {
  const byName = new Map(models.map((m) => [m.name, m]));
  const children = new Map<string, string[]>();
  for (const m of models) for (const r of m.refs) children.set(r, [...(children.get(r) ?? []), m.name]);
  const selected = new Set<string>();
  for (const raw of selectors) {
    const sel = raw.trim();
    const m = /^(\+?)([a-z][a-z0-9_]*)(\+?)$/.exec(sel);
    if (!m) throw new SelectorError(`bad selector "${raw}": use <model>, <model>+, +<model> or +<model>+`);
    const [, up, name, down] = m as unknown as [string, string, string, string];
    if (!byName.has(name)) {
      const near = [...byName.keys()].filter((k) => editDistance(k, name) <= 2 || k.includes(name)).sort();
      const hint = near.length ? `did you mean ${near.join(', ')}?` : `models: ${[...byName.keys()].sort().join(', ')}`;
      throw new SelectorError(`--select ${raw}: no model named "${name}"; ${hint}`);
    }
    selected.add(name);
    if (up) for (const n of closure(name, (x) => byName.get(x)?.refs ?? [])) selected.add(n);
    if (down) for (const n of closure(name, (x) => children.get(x) ?? [])) selected.add(n);
  }
  return selected;
}

/** Levenshtein distance, for "did you mean" on a mistyped model name. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}
