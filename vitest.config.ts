import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test/support/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // DuckDB is a native addon: separate processes keep one test file's instance from another's.
    pool: 'forks',
    // vitest's default is CPUs − 1: one worker on a 2-core machine, files one after another (39 min).
    // The Trino and DuckDB tests wait on other processes and threads much of the time, so two
    // workers keep both cores busy.
    maxWorkers: 2,
    // The longest files first, so the two workers finish together (test/support/slow-first-sequencer.ts).
    sequence: { sequencer: SlowFirstSequencer },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
