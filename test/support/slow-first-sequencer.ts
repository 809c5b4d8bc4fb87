import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * How long the slowest test files took in CI (ms, `.ci/run` on 2 cores), so a run on a fresh clone
 * starts them first. Vitest orders by the durations it cached from an earlier run; CI has no cache and
 * vitest then runs the largest files first, which put the ~420 s Athena-on-Trino files late: one
 * worker was still in one of them long after the other had run out of files. Longest first, the two
 * workers end together. Approximate is enough: only the order matters. Measured 2026-12-03.
 */
export const CI_FILE_MS: Record<string, number> = {
  'test/e2e/aws-pipeline.test.ts': 450_000,
  'test/e2e/trino-proof.test.ts': 163_000,
  'test/e2e/fuzz-sample.test.ts': 94_000,
  'test/e2e/aws-pipeline-faults.test.ts': 68_000,
  'test/e2e/incremental-build.test.ts': 52_000,
  'test/e2e/dashboards-pages.test.ts': 47_000,
  'test/unit/athena-build.test.ts': 24_000,
  'test/e2e/pipeline.test.ts': 24_000,
  'test/e2e/dashboards-customer.test.ts': 23_000,
  'test/e2e/disputes-cli.test.ts': 22_000,
  'test/e2e/credit-balances-cli.test.ts': 20_000,
  'test/e2e/dashboards-cfo.test.ts': 19_000,
  'test/e2e/dashboards-risk.test.ts': 19_000,
  'test/e2e/partial-periods-cli.test.ts': 19_000,
  'test/e2e/commit-faults.test.ts': 18_000,
  'test/e2e/packaged-cli.test.ts': 18_000,
  'test/e2e/bank-statements-cli.test.ts': 16_000,
  'test/e2e/currencies-cli.test.ts': 15_000,
  'test/unit/serve-api.test.ts': 14_000,
  'test/e2e/compaction.test.ts': 13_000,
  'test/e2e/query-cli.test.ts': 13_000,
  'test/e2e/warehouse-cli.test.ts': 11_000,
  'test/e2e/credit-risk-marts.test.ts': 11_000,
};

/** Test files longest first: a duration vitest cached from an earlier run, else CI's, else after those in vitest's own order. */
export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const base = await super.sort(files);
    const root = this.ctx.config.root;
    const ms = (f: TestSpecification) => {
      const path = relative(root, f.moduleId).split('\\').join('/');
      return this.ctx.cache.getFileTestResults(`${f.project.name}:${path}`)?.duration ?? CI_FILE_MS[path];
    };
    const known = base.filter((f) => ms(f) !== undefined).sort((a, b) => ms(b)! - ms(a)!);
    return [...known, ...base.filter((f) => ms(f) === undefined)];
  }
}
