import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TableDef } from '../schema/index.js';
import type { WarehouseEngine } from './engine.js';
import { lakePaths } from '../lake/layout.js';

export class BuildError extends Error {}

export function sqlPath(path: string): string {
  return `'${path.replace(/\\/g, '/').replace(/'/g, "''")}'`;
}

/** Output columns of a query without running it (DuckDB plans it only). */
export async function describeQuery(engine: WarehouseEngine, sql: string): Promise<{ name: string; type: string }[]> {
  const res = await engine.query(`DESCRIBE ${sql}`);
  return res.rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
}

/** Mismatches between a mart's actual columns and its declared schema, as readable lines. */
export function schemaDiff(actual: readonly { name: string; type: string }[], declared: TableDef): string[] {
  const problems: string[] = [];
  const want = declared.columns.map((c) => ({ name: c.name, type: c.sqlType as string }));
  for (const w of want) {
    const a = actual.find((x) => x.name === w.name);
    if (!a) problems.push(`missing column ${w.name} ${w.type}`);
    else if (a.type !== w.type) problems.push(`column ${w.name} is ${a.type}, declared ${w.type}`);
  }
  for (const a of actual) if (!want.some((w) => w.name === a.name)) problems.push(`undeclared column ${a.name} ${a.type}`);
  if (!problems.length && actual.map((a) => a.name).join() !== want.map((w) => w.name).join()) {
    problems.push(`column order differs: got ${actual.map((a) => a.name).join(', ')}`);
  }
  return problems;
}

export function martParquet(lakeRoot: string, model: string): string {
  return join(lakeRoot, lakePaths.martFile(model));
}

/**
 * Writes a mart to `marts/<model>/data.parquet`: checks its columns against the declared schema,
 * writes to a temporary file in the lake's scratch folder and renames it into place, so a reader
 * sees the old mart or the new one, never half of one. Returns the row count.
 */
export async function materialiseMart(
  engine: WarehouseEngine,
  lakeRoot: string,
  model: string,
  sql: string,
  declared: TableDef,
): Promise<number> {
  const problems = schemaDiff(await describeQuery(engine, sql), declared);
  if (problems.length) {
    throw new BuildError(
      `mart ${model} does not match its declared schema (src/schema/marts/${model}.ts):\n  ${problems.join('\n  ')}`,
    );
  }
  const target = martParquet(lakeRoot, model);
  const tmpDir = join(lakeRoot, lakePaths.tmpDir());
  mkdirSync(tmpDir, { recursive: true });
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(tmpDir, `${model}-${process.pid}-${Date.now()}.parquet`);
  try {
    await engine.execute(`COPY (${sql}) TO ${sqlPath(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
    renameSync(tmp, target);
  } finally {
    if (existsSync(tmp)) rmSync(tmp, { force: true });
  }
  const count = await engine.query(`SELECT count(*) AS n FROM read_parquet(${sqlPath(target)})`);
  return Number(count.rows[0]!.n);
}
