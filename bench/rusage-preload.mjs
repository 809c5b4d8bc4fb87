// Loaded with `node --import` into every process `npm run bench` times (the CLI, the yardsticks):
// at exit it writes the process's own CPU time and peak RSS, DuckDB's threads included, to the
// file named by BENCH_RUSAGE_OUT. No /usr/bin/time needed, and nothing but the measured process counts.
import { writeFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

const out = process.env.BENCH_RUSAGE_OUT;
if (out && isMainThread) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(out, JSON.stringify({ userUs: u.userCPUTime, systemUs: u.systemCPUTime, maxRssKb: u.maxRSS }));
  });
}
