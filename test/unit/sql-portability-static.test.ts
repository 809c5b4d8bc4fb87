/**
 * The static check that keeps DuckDB and Trino/Athena giving the same numbers: no unguarded division
 * and no DOUBLE→INTEGER cast without explicit rounding, in any compiled model or dashboard slice.
 */
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/config.js';
import { portabilityProblems } from '../../src/warehouse/portability/static-checks.js';
import { athenaTarget, buildOrder, compileModel, duckdbTarget, loadProject } from '../../src/warehouse/compile/index.js';
import { allSliceStatements } from '../support/slice-statements.js';

describe('portable arithmetic (static check)', () => {
  it('finds the patterns it is there to find', () => {
    expect(portabilityProblems('SELECT 7/2').map((p) => p.rule)).toEqual(['unguarded-division']);
    expect(portabilityProblems('SELECT amount / total FROM t').map((p) => p.rule)).toEqual(['unguarded-division']);
    expect(portabilityProblems('SELECT CAST(avg(days) AS INTEGER) FROM t').map((p) => p.rule)).toEqual(['unrounded-integer-cast']);
    expect(portabilityProblems('SELECT CAST(CAST(x AS DOUBLE) * 1.5 AS BIGINT)').map((p) => p.rule)).toEqual(['unrounded-integer-cast']);
    // The portable forms pass: ratio(), int_div(), explicit rounding, '/' inside text and comments.
    expect(portabilityProblems("SELECT (CAST(a AS DOUBLE) / NULLIF(CAST(b AS DOUBLE), 0)), 'a/b' -- x/y")).toEqual([]);
    expect(portabilityProblems('SELECT CAST(trunc(CAST(d AS DOUBLE) / CAST(7 AS DOUBLE)) AS BIGINT)')).toEqual([]);
    expect(portabilityProblems('SELECT CAST(round(avg(days)) AS INTEGER), CAST(count(*) AS INTEGER)')).toEqual([]);
  });

  it('holds for every compiled model, test and slice on both dialects', async () => {
    const project = loadProject();
    const config = defaultConfig();
    const problems: string[] = [];
    for (const target of [duckdbTarget({ tablesWithFiles: new Set() }), athenaTarget()]) {
      for (const m of buildOrder(project)) {
        for (const p of portabilityProblems(compileModel(m, target, config, project).sql)) problems.push(`${target.dialect.name} ${m.name}: ${p.rule}: ${p.excerpt}`);
      }
    }
    for (const s of await allSliceStatements()) {
      for (const p of portabilityProblems(s.sql)) problems.push(`slice ${s.slice}: ${p.rule}: ${p.excerpt}`);
    }
    expect([...new Set(problems)]).toEqual([]);
  });
});
