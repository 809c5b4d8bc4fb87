import { handleApiRequest } from './src/serve/api.js';
import { ReadOnlyWarehouse } from './src/serve/warehouse.js';
const e = await ReadOnlyWarehouse.open(process.argv[2]!);
for (const spec of process.argv.slice(3)) {
  const [path, qs] = spec.split('?');
  const q = Object.fromEntries(new URLSearchParams(qs ?? ''));
  const r = await handleApiRequest(path!, q, e, { log: console.error });
  const b = r.base64 ? `<${r.body.length} b64>` : r.body;
  console.log(r.status, path, b.slice(0, 1500));
}
await e.close();
