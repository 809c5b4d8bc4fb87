import type { Dialect } from '../dialect/dialect.js';
import { athenaDialect } from '../athena/athena-dialect.js';

/** Athena (engine version 3) is Trino: the same functions, so the same SQL is proven on both. */
export const trinoDialect: Dialect = { ...athenaDialect, name: 'trino' };
