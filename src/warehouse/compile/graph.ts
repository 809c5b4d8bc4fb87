import type { Model } from './project.js';

export class GraphError extends Error {}

/**
 * Models in build order: every model after the models it refs. Ties break by name so the order is
 * stable. A cycle is an error that spells the cycle out (a → b → a).
 */
export function buildOrder(models: readonly Model[]): Model[] {
  const byName = new Map(models.map((m) => [m.name, m]));
  for (const m of models) {
    for (const r of m.refs) if (!byName.has(r)) throw new GraphError(`${m.path}: ref('${r}') names no model`);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const order: Model[] = [];
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
    order.push(m);
  };
  for (const m of [...models].sort((a, b) => a.name.localeCompare(b.name))) visit(m);
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
    if (!m) throw new GraphError(`bad selector "${raw}": use <model>, <model>+, +<model> or +<model>+`);
    const [, up, name, down] = m as unknown as [string, string, string, string];
    if (!byName.has(name)) {
      throw new GraphError(`--select ${raw}: no model named "${name}"; models: ${[...byName.keys()].sort().join(', ')}`);
    }
    selected.add(name);
    if (up) for (const n of closure(name, (x) => byName.get(x)?.refs ?? [])) selected.add(n);
    if (down) for (const n of closure(name, (x) => children.get(x) ?? [])) selected.add(n);
  }
  return selected;
}
