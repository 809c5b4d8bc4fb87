import type { Reporter, TestModule } from 'vitest/node';
import { TRINO_SKIP_LINE } from './trino.js';

/** Ends the run with one plain line, `N passed, N failed, N skipped`, that CI logs show at a glance. */
export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const count = { passed: 0, failed: 0, skipped: 0 };
    for (const m of testModules) {
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') count.passed++;
        else if (state === 'failed') count.failed++;
        else count.skipped++;
      }
      if (m.state() === 'failed' && ![...m.children.allTests()].length) count.failed++;
    }
    // The Trino suite skips itself when no Trino runs: one line says so and how to run it.
    const trino = testModules.filter((m) => /trino/i.test(m.moduleId));
    const trinoSkipped = trino.length > 0 && trino.every((m) => [...m.children.allTests()].every((t) => t.result().state === 'skipped'));
    if (trinoSkipped) process.stdout.write(`\n${TRINO_SKIP_LINE}\n`);
    process.stdout.write(`\n${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped\n`);
  }
}
