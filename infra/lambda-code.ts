import { buildSync } from 'esbuild';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PLACEHOLDER_DIR = join(PROJECT_ROOT, 'infra', 'placeholder');

/**
 * DuckDB is a native addon: esbuild cannot inline it, so these stay external and ship as real
 * node_modules (linux-x64 glibc build, what the Lambda x86_64 Node 20 runtime loads).
 */
export const DUCKDB_EXTERNALS = ['@duckdb/node-api', '@duckdb/node-bindings', '@duckdb/node-bindings-*'];
export const DUCKDB_RUNTIME_PACKAGES = [
  '@duckdb/node-api',
  '@duckdb/node-bindings',
  '@duckdb/node-bindings-linux-x64',
  'detect-libc',
];

// ESM output still contains CommonJS dependencies that call require() for Node built-ins.
const REQUIRE_SHIM = "import { createRequire as __clCreateRequire } from 'node:module';\nconst require = __clCreateRequire(import.meta.url);";

export interface BundleResult {
  dir: string;
  /** True when the handler imports DuckDB and its native packages were copied beside it. */
  withDuckDB: boolean;
}

function packageDir(name: string): string {
  const req = createRequire(join(PROJECT_ROOT, 'package.json'));
  try {
    return dirname(req.resolve(`${name}/package.json`));
  } catch {
    throw new Error(
      `cannot bundle for Lambda: package ${name} is not installed. On a non-linux-x64 machine run ` +
        '`npm install --no-save --os=linux --cpu=x64 @duckdb/node-bindings-linux-x64` first.',
    );
  }
}

/** The one module that loads @duckdb/node-api, by `require`. */
const DUCKDB_LOADER = 'src/warehouse/duckdb/node-api.ts';

export type CopyDir = string | { from: string; to: string };

export interface BundleOptions {
  outDir?: string;
  /**
   * Project folders or files copied beside the handler (e.g. `sql`, the model project the build reads
   * at run time); `{ from, to }` where code finds them by `new URL('./x', import.meta.url)`, which in a
   * bundle is the bundle's root.
   */
  copyDirs?: readonly CopyDir[];
}

/** Bundles one handler file with esbuild in-process (no Docker) into a fresh folder. */
export function bundleHandler(entry: string, opts: BundleOptions = {}): BundleResult {
  const dir = opts.outDir ?? mkdtempSync(join(tmpdir(), 'creditlake-lambda-'));
  mkdirSync(dir, { recursive: true });
  const result = buildSync({
    entryPoints: [resolve(PROJECT_ROOT, entry)],
    outfile: join(dir, 'index.mjs'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: true,
    external: DUCKDB_EXTERNALS,
    banner: { js: REQUIRE_SHIM },
    metafile: true,
    logLevel: 'silent',
    // The AWS SDK is bundled, not taken from the runtime, so the deployed code runs the versions we test.
    mainFields: ['module', 'main'],
  });
  const imports = Object.values(result.metafile.outputs).flatMap((o) => o.imports);
  // The package is loaded with `require` (src/warehouse/duckdb/node-api.ts, for start-up time), which
  // esbuild does not follow, so a bundle that holds that module needs DuckDB as much as one that
  // imports it.
  const withDuckDB =
    imports.some((i) => i.external && i.path.startsWith('@duckdb/')) ||
    Object.keys(result.metafile.inputs).some((f) => f.replace(/\\/g, '/').endsWith(DUCKDB_LOADER));
  if (withDuckDB) {
    for (const name of DUCKDB_RUNTIME_PACKAGES) {
      cpSync(packageDir(name), join(dir, 'node_modules', name), { recursive: true, dereference: true });
    }
  }
  for (const d of opts.copyDirs ?? []) {
    const { from, to } = typeof d === 'string' ? { from: d, to: d } : d;
    cpSync(join(PROJECT_ROOT, from), join(dir, to), { recursive: true });
  }
  // Marks the folder as ESM for Node, whatever the extension of helper files esbuild emits.
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  return { dir, withDuckDB };
}

const bundles = new Map<string, BundleResult>();

/** Lambda code for a handler: the real bundle, or a stub folder for fast unit-test synthesis. */
export function handlerCode(entry: string, mode: 'esbuild' | 'placeholder', copyDirs: readonly CopyDir[] = []): lambda.Code {
  if (mode === 'placeholder') return lambda.Code.fromAsset(PLACEHOLDER_DIR);
  let bundle = bundles.get(entry);
  if (!bundle) {
    bundle = bundleHandler(entry, { copyDirs });
    bundles.set(entry, bundle);
  }
  return lambda.Code.fromAsset(bundle.dir);
}
