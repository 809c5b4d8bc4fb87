/**
 * Scale check of the mapping path (not a test): writes an Exact Online style export of --mb megabytes
 * (';', Windows-1252, 1.234,56, dd-mm-yyyy, CRLF, a Totaal footer) into a temp folder, ingests it with
 * the exact-online-receivables preset under a DuckDB memory limit, and prints rows/s and the peak RSS
 * of this process (DuckDB runs in-process, so its memory counts).
 *
 *   node bin/run-ts.js bench/mapped-ingest.bench.ts --mb 2048 --memory-limit 1GB --threads 2
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ingestMapped } from '../src/feeds/ingest-mapped.js';
import { loadPreset } from '../src/feeds/mapping/load.js';
import { prepareCsv } from '../src/feeds/mapping/prepare.js';

const { values } = parseArgs({
  options: { mb: { type: 'string', default: '2048' }, 'memory-limit': { type: 'string', default: '1GB' }, threads: { type: 'string', default: '2' }, keep: { type: 'boolean', default: false } },
});
const targetBytes = Number(values.mb) * 1024 * 1024;
const names = ['Café De Schâlk B.V.', 'Bouwbedrijf Ölçer & Zn.', "Groothandel 't Hoekje", 'Jansen Installatietechniek B.V.', 'Bakkerij Van der Meulen'];
const cp1252 = new Map([['é', 0xe9], ['â', 0xe2], ['Ö', 0xd6], ['ç', 0xe7], ['€', 0x80]]);
const encode = (s: string) => Buffer.from([...s].map((ch) => cp1252.get(ch) ?? ch.charCodeAt(0)));
const dutch = (cents: number) => {
  const abs = Math.abs(cents);
  const int = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.');
  return `${cents < 0 ? '-' : ''}${int},${String(abs % 100).padStart(2, '0')}`;
};

async function generate(path: string): Promise<number> {
  const out = createWriteStream(path);
  out.write(encode('AccountCode;AccountName;InvoiceNumber;InvoiceDate;DueDate;CurrencyCode;Amount;AmountInTransit;Description;EntryNumber;JournalCode;YourRef\r\n'));
  let written = 0;
  let n = 0;
  while (written < targetBytes) {
    const lines: string[] = [];
    for (let k = 0; k < 10_000; k++) {
      n++;
      const acct = 1000 + ((n * 7919) % 50_000);
      const d = 1 + (n % 28);
      const m = 1 + (Math.floor(n / 28) % 12);
      const y = 2020 + (Math.floor(n / 336) % 5);
      const cents = ((n * 104_729) % 5_000_000) - 20_000 || 100;
      const date = (day: number) => `${String(day).padStart(2, '0')}-${String(m).padStart(2, '0')}-${y}`;
      lines.push(`${acct};${names[acct % 5]};${n};${date(d)};${date(Math.min(d + 14, 28))};EUR;${dutch(cents)};0,00;Levering ${n} € korting;${n};70;PO-${n % 9999}\r\n`);
    }
    const buf = encode(lines.join(''));
    written += buf.length;
    if (!out.write(buf)) await once(out, 'drain');
  }
  out.end(encode('Totaal;;;;;;0,00;;;;;\r\n'));
  await once(out, 'finish');
  return n;
}

const dir = await mkdtemp(join(tmpdir(), 'creditlake-bench-'));
try {
  const file = join(dir, 'exact-export.csv');
  let t = performance.now();
  const rows = await generate(file);
  const size = (await stat(file)).size;
  console.log(`generated ${rows} rows, ${(size / 1e9).toFixed(2)} GB in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const mapping = loadPreset('exact-online-receivables');
  t = performance.now();
  let last = -1;
  const r = await ingestMapped({
    lakeRoot: join(dir, 'lake'),
    mapping,
    files: [file],
    prepare: (f, s, p) => prepareCsv(mapping, f, s, p),
    memoryLimit: values['memory-limit'],
    threads: Number(values.threads),
    scratchDir: dir,
    onProgress: ({ fraction }) => {
      const p = Math.floor(fraction * 10) * 10;
      if (p !== last) process.stderr.write(`${p}% `);
      last = p;
    },
  });
  const secs = (performance.now() - t) / 1000;
  console.log(`\n${r.files[0]!.message}`);
  console.log(`ingest ${secs.toFixed(1)} s, ${Math.round(rows / secs)} rows/s, ${(size / 1e6 / secs).toFixed(1)} MB/s`);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB (DuckDB memory_limit ${values['memory-limit']}, threads ${values.threads})`);
} finally {
  if (!values.keep) await rm(dir, { recursive: true, force: true });
}
