import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lakePaths } from '../lake/layout.js';
import { CANONICAL_TABLES } from '../schema/index.js';
import { martTable } from '../schema/marts/index.js';
import { loadProject } from '../warehouse/compile/index.js';
import { schemaTests } from '../warehouse/data-tests.js';
import { describeRelation } from '../warehouse/describe.js';
import { withDuckDB } from '../warehouse/duckdb/duckdb-engine.js';
import { markdownToHtml } from './markdown.js';
import type { DocsData, DocsModel, DocsTest } from './site.js';

/** The metric definitions shipped with the package (docs/metrics*.md). */
export const METRICS_DIR = fileURLToPath(new URL('../../docs/', import.meta.url));

/** What `creditlake build` leaves for the docs: when it finished and how each data test came out. */
export interface BuildReportFile {
  finished_at: string;
  ok: boolean;
  tests: { name: string; ok: boolean; failing_rows: number; error?: string }[];
}

export function readBuildReport(lakeRoot: string): BuildReportFile | undefined {
  const file = join(lakeRoot, lakePaths.buildReport());
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as BuildReportFile;
  } catch {
    return undefined;
  }
}

/** Columns (type and COMMENT) of every view of the built warehouse, when there is one. */
async function warehouseColumns(lakeRoot: string): Promise<Map<string, { name: string; type: string; comment: string | null }[]>> {
  const out = new Map<string, { name: string; type: string; comment: string | null }[]>();
  const db = join(lakeRoot, lakePaths.warehouseDb());
  if (!existsSync(db)) return out;
  const rows = await withDuckDB({ path: db, readOnly: true, threads: 1 }, async (e) =>
    (await e.query(`SELECT table_name, column_name, data_type, comment FROM duckdb_columns() WHERE NOT internal ORDER BY table_name, column_index`)).rows,
  );
  for (const r of rows) {
    const t = String(r.table_name);
    out.set(t, [...(out.get(t) ?? []), { name: String(r.column_name), type: String(r.data_type), comment: r.comment === null ? null : String(r.comment) }]);
  }
  return out;
}

export async function collectDocs(opts: { lakeRoot: string; sqlDir?: string; now?: Date }): Promise<DocsData> {
  const project = loadProject(opts.sqlDir);
  const built = await warehouseColumns(opts.lakeRoot);
  const models: DocsModel[] = [];
  const rawRead = new Set<string>();
  for (const m of project.filter((x) => x.kind !== 'tests')) {
    const d = describeRelation(m.name, m);
    const declared = martTable(m.name) ?? CANONICAL_TABLES.find((t) => `stg_${t.name}` === m.name);
    const fromWarehouse = built.get(m.name);
    const columns = fromWarehouse
      ? fromWarehouse.map((c) => ({ name: c.name, type: c.type, description: c.comment ?? d.columns.get(c.name) ?? '' }))
      : (declared?.columns ?? []).map((c) => ({ name: c.name, type: c.sqlType, description: c.description }));
    for (const s of m.sources) rawRead.add(s);
    models.push({
      name: m.name,
      kind: m.kind as DocsModel['kind'],
      description: d.description,
      path: m.path,
      sql: m.source,
      upstream: [...m.refs, ...m.sources.map((s) => `raw.${s}`)],
      columns,
    });
  }
  const sources: DocsModel[] = [...rawRead].sort().map((t) => ({ name: `raw.${t}`, kind: 'source', description: `Raw batches of ${t}`, upstream: [], columns: [] }));

  const report = readBuildReport(opts.lakeRoot);
  const last = new Map((report?.tests ?? []).map((t) => [t.name, t]));
  const tests: DocsTest[] = [];
  for (const m of project) {
    const table = m.kind === 'marts' ? martTable(m.name) : m.kind === 'staging' ? CANONICAL_TABLES.find((t) => `stg_${t.name}` === m.name) : undefined;
    if (table) for (const t of schemaTests(m.name, table)) tests.push({ name: t.name, models: [...t.models], sql: t.sql });
    if (m.kind === 'tests') tests.push({ name: m.name, models: [...m.refs], sql: m.source });
  }
  for (const t of tests) {
    const r = last.get(t.name);
    if (r) t.last = { ok: r.ok, failingRows: r.failing_rows, error: r.error };
  }

  const metrics = existsSync(METRICS_DIR)
    ? readdirSync(METRICS_DIR)
        .filter((f) => /^metrics.*\.md$/.test(f))
        .sort()
        .map((f) => {
          const md = readFileSync(join(METRICS_DIR, f), 'utf8');
          return { file: `docs/${f}`, title: /^#\s+(.*)$/m.exec(md)?.[1] ?? f, html: markdownToHtml(md) };
        })
    : [];

  return {
    generatedAt: (opts.now ?? new Date()).toISOString(),
    lake: opts.lakeRoot,
    lastBuild: report ? { finishedAt: report.finished_at, ok: report.ok } : undefined,
    models: [...sources, ...models],
    tests,
    metrics,
  };
}
