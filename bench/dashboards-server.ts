// The dashboard server of bench/dashboards.bench.ts, in a process of its own (as `creditlake serve`
// runs): the browser driver's own work (Playwright handles every protocol event of the page) is not
// counted as the server's CPU time and does not hold up its answers. Talks to its parent over IPC:
// sends { url } once listening (after the start-up prewarm with --prewarm), answers 'cpu' with the
// CPU time the process has used, and closes on 'close'.
import { startServer } from '../src/serve/server.js';

const [lakeRoot, prewarm] = process.argv.slice(2);
const server = await startServer({ lakeRoot: lakeRoot!, port: 0, prewarm: prewarm === 'prewarm' });
await server.prewarmed;
process.on('message', (m) => {
  if (m === 'cpu') {
    const c = process.cpuUsage();
    process.send!({ cpuMs: (c.user + c.system) / 1000 });
  } else if (m === 'close') void server.close().then(() => process.exit(0));
});
process.send!({ url: server.url });
