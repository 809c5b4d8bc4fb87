import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // DuckDB is a native addon: separate processes keep one test file's instance from another's.
    pool: 'forks',
    // vitest's default is CPUs − 1: one worker on a 2-core machine, files one after another (39 min).
    // The Trino and DuckDB tests wait on other processes and threads much of the time, so two
    // workers keep both cores busy.
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
