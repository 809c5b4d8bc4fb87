/**
 * One intermediate model against its inputs from a lake's model cache (lake/_cache/models, written by
 * a full build), for working on a model's SQL: the cached inputs as tables, the model compiled for
 * DuckDB from sql/ (or from --alt FILE, a rewrite of it), run --runs times interleaved, CPU seconds
 * of each run (this process, DuckDB's threads included), and the result checked against the model's
 * cached rows (same multiset of rows, and the same rows in the same order when --ordered).
 *   node bin/run-ts.js bench/model-dev.ts <lake> <model> [--alt rewrite.sql] [--runs 3] [--threads 1] [--explain]
 *     [--inline upstream [--alt-inline rewrite.sql]]
 * --inline computes one model the model reads as a view inside it (from that model's own cached inputs),
 * as a `build --select` does with a model read by one reference; --alt-inline is a rewrite of that
 * model used by the alt variant (without --alt, the alt variant is the model's current SQL over it).
 * --explain prints DuckDB's EXPLAIN ANALYZE of each variant first (time per operator); --profile P writes
 * DuckDB's JSON profile of each to P.<variant>.json.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadConfig } from '../src/config/config.js';
import { compileModel, loadProject, parseProject, type Model } from '../src/warehouse/compile/index.js';
import { duckdbTarget } from '../src/warehouse/compile/targets.js';

const { values, positionals } = parseArgs({
  options: {
    alt: { type: 'string' },
    runs: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1' },
    memory: { type: 'string', default: '2GB' },
    explain: { type: 'boolean', default: false },
    profile: { type: 'string' },
    inline: { type: 'string' },
    'alt-inline': { type: 'string' },
  },
  allowPositionals: true,
});
const lake = resolve(positionals[0]!);
const name = positionals[1]!;
const { config } = loadConfig({ lake });
const models = loadProject();
const model = models.find((m) => m.name === name);
if (!model) throw new Error(`no model ${name}`);
const target = duckdbTarget({ tablesWithFiles: new Set() });
const cacheFile = (m: string) => {
  const dir = join(lake, '_cache', 'models', m);
  const f = readdirSync(dir).find((x) => x.endsWith('.parquet'));
  if (!f) throw new Error(`no cached ${m}`);
  return join(dir, f);
};
const cachedRel = (m: string) => {
  // a mart is not cached: its published file
  const martDir = join(lake, 'marts', m);
  if (!existsSync(join(lake, '_cache', 'models', m)) && existsSync(martDir)) {
    const files = readdirSync(martDir).filter((f) => f.endsWith('.parquet')).sort(); // named by build time: the last is current
    return `read_parquet('${join(martDir, files.at(-1)!)}')`;
  }
  const file = cacheFile(m);
  const cols = JSON.parse(readFileSync(file.replace(/\.parquet$/, '.columns.json'), 'utf8')) as { name: string; type: string }[];
  return `(SELECT ${cols.map((c) => `CAST("${c.name}" AS ${c.type}) AS "${c.name}"`).join(', ')} FROM read_parquet('${file}'))`;
};
const compile = (m: Model) => compileModel(m, target, config, models).sql;
const rewrite = (m: Model, file: string) => parseProject([{ ...m, source: readFileSync(file, 'utf8'), path: file }])[0]!;
const inlined = values.inline ? models.find((m) => m.name === values.inline) : undefined;
if (values.inline && (!inlined || !model.refs.includes(values.inline))) throw new Error(`${name} reads no model ${values.inline}`);
const variants: { label: string; sql: string; inline?: string }[] = [
  { label: 'current', sql: compile(model), inline: inlined && compile(inlined) },
];
if (values.alt || values['alt-inline']) {
  variants.push({
    label: 'alt',
    sql: values.alt ? compile(rewrite(model, values.alt)) : compile(model),
    inline: inlined && (values['alt-inline'] ? compile(rewrite(inlined, values['alt-inline'])) : compile(inlined)),
  });
}
const useVariant = async (v: (typeof variants)[number]) => {
  if (v.inline) await con.run(`CREATE OR REPLACE VIEW ${inlined!.name} AS ${v.inline}`);
};

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run(`SET memory_limit='${values.memory}'; SET threads=${Number(values.threads)}; SET preserve_insertion_order=true`);
const tables = new Set([...model.refs.filter((r) => r !== inlined?.name), ...(inlined?.refs ?? [])]);
for (const r of tables) await con.run(`CREATE TABLE ${r} AS SELECT * FROM ${cachedRel(r)}`);
await con.run(`CREATE TABLE expected AS SELECT * FROM ${cachedRel(name)}`);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const one = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjects()[0]!;
if (values.profile) {
  // DuckDB's JSON profile of each variant (operator tree with timings): <profile>.<label>.json
  for (const v of variants) {
    await useVariant(v);
    await con.run(`PRAGMA enable_profiling='json'; PRAGMA profiling_output='${values.profile}.${v.label}.json'`);
    await con.run(`CREATE OR REPLACE TABLE profiled AS ${v.sql}`);
    await con.run(`PRAGMA disable_profiling`);
  }
}
if (values.explain) {
  for (const v of variants) {
    await useVariant(v);
    const rows = (await con.runAndReadAll(`EXPLAIN ANALYZE ${v.sql}`)).getRows();
    console.log(`== ${v.label}\n${rows.map((r) => String(r[1])).join('\n')}`);
  }
}
for (let run = 0; run < Number(values.runs); run++) {
  for (const v of variants) {
    await con.run(`DROP TABLE IF EXISTS got`);
    await useVariant(v);
    const c0 = cpu();
    const s0 = process.cpuUsage().system;
    const w0 = performance.now();
    await con.run(`CREATE TABLE got AS ${v.sql}`);
    const c = cpu() - c0;
    const sys = (process.cpuUsage().system - s0) / 1e6;
    const w = (performance.now() - w0) / 1000;
    const cmp = await one(
      `SELECT (SELECT count(*) FROM got) AS n, (SELECT count(*) FROM expected) AS expected, ` +
        `(SELECT count(*) FROM (SELECT * FROM got EXCEPT ALL SELECT * FROM expected)) AS extra, ` +
        `(SELECT count(*) FROM (SELECT * FROM expected EXCEPT ALL SELECT * FROM got)) AS missing`,
    );
    const types = (await con.runAndReadAll(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'got' ORDER BY ordinal_position`)).getRows().map((r) => r.join(' ')).join(', ');
    const typesExp = (await con.runAndReadAll(`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'expected' ORDER BY ordinal_position`)).getRows().map((r) => r.join(' ')).join(', ');
    console.log(`${v.label.padEnd(8)} ${c.toFixed(2).padStart(6)} CPU-s (sys ${sys.toFixed(2)}) ${w.toFixed(2).padStart(6)} s  rows ${cmp.n}/${cmp.expected} extra ${cmp.extra} missing ${cmp.missing}${types === typesExp ? '' : `  TYPES DIFFER: ${types} vs ${typesExp}`}`);
  }
}
