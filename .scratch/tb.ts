import { openTrinoBuild } from '../src/warehouse/trino/trino-build.ts';
import { runBuild } from '../src/warehouse/runner.ts';
import { defaultConfig } from '../src/config/config.ts';
const L = process.argv[2]!;
const t0 = Date.now();
const session = await openTrinoBuild(L, defaultConfig());
try {
const r = await runBuild(session, { config: defaultConfig(), onEvent: (e) => console.log(e.type === 'model' ? `${e.model.materialised} ${e.model.name} ${e.model.rows ?? ''} ${Math.round(e.model.ms)}` : `${e.test.ok ? 'pass' : 'FAIL'} ${e.test.name} ${e.test.error ?? ''} ${e.test.ok ? '' : JSON.stringify(e.test.sample.slice(0,2))}`) });
console.log('ok', r.ok, Date.now() - t0);
} catch (e) { console.log('ERR', (e as Error).message.slice(0, 3000)); }
