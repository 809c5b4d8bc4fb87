import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { callArgs, parseTemplate, type TemplatePart } from './template.js';

/**
 * A model project is the `sql/` folder: one model per file, its kind given by the folder.
 *   staging/stg_<table>.sql   typed, deduplicated views over raw partitions
 *   intermediate/int_*.sql    helper views shared by marts
 *   marts/<mart>.sql          materialised to Parquet; output checked against src/schema/marts
 *   tests/<name>.sql          data tests: return failing rows, zero rows = pass
 */
export const MODEL_KINDS = ['staging', 'intermediate', 'marts', 'tests'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

export interface ModelFile {
  name: string;
  kind: ModelKind;
  /** Path relative to the project root, for messages. */
  path: string;
  source: string;
}

export interface Model extends ModelFile {
  parts: TemplatePart[];
  refs: string[];
  sources: string[];
}

export const DEFAULT_SQL_DIR = fileURLToPath(new URL('../../../sql/', import.meta.url));

/** Reads every model file (the only I/O of compilation). */
export function readModelFiles(sqlDir = DEFAULT_SQL_DIR): ModelFile[] {
  const files: ModelFile[] = [];
  for (const kind of MODEL_KINDS) {
    const dir = join(sqlDir, kind);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.sql')).sort()) {
      files.push({ name: basename(f, '.sql'), kind, path: `${kind}/${f}`, source: readFileSync(join(dir, f), 'utf8') });
    }
  }
  return files;
}

export class ProjectError extends Error {}

/** Parses templates and collects references; pure. */
export function parseProject(files: readonly ModelFile[]): Model[] {
  const seen = new Map<string, string>();
  return files.map((f) => {
    if (!/^[a-z][a-z0-9_]*$/.test(f.name)) throw new ProjectError(`${f.path}: model names are lowercase snake_case`);
    const prev = seen.get(f.name);
    if (prev) throw new ProjectError(`model "${f.name}" defined twice: ${prev} and ${f.path}`);
    seen.set(f.name, f.path);
    const parts = parseTemplate(f.source, f.path);
    // latest_versions('t') expands to a read of raw table t (functions.ts), so it names a source as
    // source('t') does: lineage, the docs and the API role's prefixes are derived from this list.
    const sources = [...callArgs(parts, 'source'), ...callArgs(parts, 'latest_versions')];
    return { ...f, parts, refs: unique(callArgs(parts, 'ref')), sources: unique(sources) };
  });
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

export function loadProject(sqlDir = DEFAULT_SQL_DIR): Model[] {
  return parseProject(readModelFiles(sqlDir));
}
