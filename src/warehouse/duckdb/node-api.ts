import { createRequire } from 'node:module';
import type * as NodeApi from '@duckdb/node-api';

/**
 * @duckdb/node-api, loaded with `require`. The package is CommonJS: an ES `import` of it makes Node
 * run its CommonJS export lexer over the package's index and every module that index re-exports
 * (about a hundred files) before the first line runs, 160-200 ms of CPU in every command's start-up
 * against 70-76 ms for the same package by `require` (Node 20; the lexer is JavaScript that is still
 * cold at start-up). The objects are the same either way; types come from `import type`.
 */
export const duckdbApi = createRequire(import.meta.url)('@duckdb/node-api') as typeof NodeApi;
