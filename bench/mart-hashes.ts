/**
 * Content hash of every published mart of a lake, to prove a rewrite of the models changed no figure:
 *   node bin/run-ts.js bench/mart-hashes.ts <lake> > before.json   (… change the models, rebuild …)
 *   node bin/run-ts.js bench/mart-hashes.ts <lake> --compare before.json
 * A mart's hash covers every row in file order (rows numbered, then hashed), so a reordering counts
 * as a change too. DOUBLE columns are hashed rounded to 9 decimals: a floating-point sum (hhi in
 * concentration, cash_forecast_backtest) may differ in its last bit between two builds of the same
 * code, as DuckDB adds in thread order. Exit 1 when --compare finds a mart that differs or is missing.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { martHashes } from '../test/support/mart-hashes.js';

const { values, positionals } = parseArgs({ options: { compare: { type: 'string' } }, allowPositionals: true });
const lake = resolve(positionals[0] ?? 'lake');
const hashes = await martHashes(lake);
if (values.compare) {
  const before = JSON.parse(readFileSync(values.compare, 'utf8')) as Record<string, string>;
  const differ = Object.keys({ ...before, ...hashes }).filter((m) => before[m] !== hashes[m]);
  for (const m of differ) console.log(`${m}: before ${before[m] ?? 'absent'}, now ${hashes[m] ?? 'absent'}`);
  console.log(differ.length ? `${differ.length} of ${Object.keys(before).length} marts differ` : `all ${Object.keys(before).length} marts identical`);
  if (differ.length) process.exitCode = 1;
} else {
  console.log(JSON.stringify(hashes, null, 2));
}
