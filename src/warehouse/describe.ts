import { CANONICAL_TABLES, type TableDef } from '../schema/index.js';
import { MART_TABLES } from '../schema/marts/index.js';
import type { Model } from './compile/index.js';

/**
 * What each warehouse relation and column means, from the one place each is defined: the zod
 * schemas (canonical tables, marts) and, for models without a declared schema (intermediate
 * views), the why-comment that opens the model's SQL. The warehouse carries these as COMMENT ON,
 * so DBeaver, Metabase or `duckdb_columns()` show them; the docs site reads the same.
 */
export interface RelationDescription {
  description: string;
  columns: ReadonlyMap<string, string>;
}

const DECLARED: readonly TableDef[] = [...CANONICAL_TABLES, ...MART_TABLES];

/** Column name → description, from every declared table (the first that declares it wins). */
const KNOWN_COLUMNS: ReadonlyMap<string, string> = (() => {
  const out = new Map<string, string>();
  for (const t of DECLARED) for (const c of t.columns) if (!out.has(c.name)) out.set(c.name, c.description);
  out.set('ingest_date', 'Day the batch holding this row was ingested (the raw partition)');
  out.set('filename', 'Lake file of the batch this row was read from');
  return out;
})();

/** The leading `--` comment block of a model's SQL, as one paragraph. */
export function leadingComment(sql: string): string {
  const lines: string[] = [];
  for (const l of sql.split('\n')) {
    const m = /^\s*--\s?(.*)$/.exec(l);
    if (!m) break;
    lines.push(m[1]!.trim());
  }
  return lines.join(' ').replace(/\s+/g, ' ').trim();
}

export function describeRelation(name: string, model?: Model): RelationDescription {
  const declared = DECLARED.find((t) => t.name === name);
  const staged = name.startsWith('stg_') ? CANONICAL_TABLES.find((t) => t.name === name.slice(4)) : undefined;
  const own = declared ?? staged;
  const columns = new Map(KNOWN_COLUMNS);
  for (const c of own?.columns ?? []) columns.set(c.name, c.description);
  let description = declared?.description ?? '';
  if (staged) description = `Staging: ${staged.name} typed and deduplicated by its key (the latest ingested version of each row). ${staged.description}`;
  if (!description && model) description = leadingComment(model.source);
  if (!description && model) description = `${model.kind} model ${model.name} (sql/${model.path})`;
  return { description, columns };
}
