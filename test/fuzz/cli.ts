import { parseArgs } from 'node:util';
import { formatReport, FUZZ_PATHS, runFuzz, type FuzzPath } from './fuzz.js';
import { formatKills, runKills } from './kills.js';

/**
 * `npm run fuzz -- --cases N --seed S [--path canonical,erp,…] [--kills K] [--keep DIR] [--json]`: runs
 * N mutated files through the ingest paths and prints the figures per path; `--kills K` then kills K
 * real ingest processes at random moments and checks each re-run. Exit 1 when anything failed.
 */
const { values } = parseArgs({
  options: {
    cases: { type: 'string', default: '2000' },
    seed: { type: 'string', default: '1' },
    path: { type: 'string' },
    keep: { type: 'string', default: 'fuzz-failures' },
    batch: { type: 'string', default: '100' },
    json: { type: 'boolean', default: false },
    kills: { type: 'string', default: '0' },
  },
});
const cases = Number(values.cases);
const seed = Number(values.seed);
if (!Number.isInteger(cases) || cases < 1 || !Number.isInteger(seed)) {
  console.error('usage: npm run fuzz -- --cases N --seed S [--path canonical,erp,xlsx,ubl,json] [--keep DIR] [--json]');
  process.exit(2);
}
const paths = values.path ? (values.path.split(',') as FuzzPath[]) : undefined;
if (paths?.some((p) => !FUZZ_PATHS.includes(p))) {
  console.error(`--path takes ${FUZZ_PATHS.join(', ')}`);
  process.exit(2);
}
let last = 0;
const report = await runFuzz({
  cases,
  seed,
  paths,
  batch: Number(values.batch),
  keepFailures: values.keep,
  onProgress: (done, total, figures) => {
    if (process.stderr.isTTY || done - last >= Math.max(100, total / 20) || done === total) {
      last = done;
      const so = Object.entries(figures)
        .filter(([, f]) => f.invariantHeld + f.clearErrors + f.failures > 0)
        .map(([p, f]) => `${p} ${f.invariantHeld}+${f.clearErrors}/${f.failures}`)
        .join(', ');
      process.stderr.write(`${done}/${total} cases (held+clear errors/failures: ${so})\n`);
    }
  },
});
console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
let failed = report.failures.length > 0;
const kills = Number(values.kills);
if (kills > 0) {
  const outcomes = await runKills({ kills, seed, onProgress: (n) => process.stderr.write(`kill ${n}/${kills}\n`) });
  console.log(values.json ? JSON.stringify(outcomes, null, 2) : formatKills(outcomes));
  failed ||= outcomes.some((o) => !o.ok);
}
process.exitCode = failed ? 1 : 0;
