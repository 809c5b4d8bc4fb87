import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { EXIT, UsageError, line, type CliIO, type Command } from '../command.js';
import { parse } from '../options.js';
import { configFrom } from '../config-from.js';
import { collectDocs } from '../../docs/collect.js';
import { renderSite } from '../../docs/site.js';
import { lakePaths } from '../../lake/layout.js';
import { isS3Uri } from '../../lake/s3-uri.js';

const usage = `Usage: creditlake docs [--out DIR] [--lake DIR] [--config FILE]

Writes the warehouse's documentation as a static site (default <lake>/docs, which
\`creditlake serve\` serves at /docs): every model with its description, columns (type and
description), SQL, what it reads and what reads it; the lineage graph from the ref()s; every data
test with its result in the last \`creditlake build\`; the metric formulas (docs/metrics*.md).
Column types come from the built warehouse when there is one.`;

export const docsCommand: Command = {
  name: 'docs',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values, positionals } = parse(argv, { out: { type: 'string' } }, true);
    if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
    const { lakeRoot } = configFrom(values, io);
    if (isS3Uri(lakeRoot) && values.out === undefined) throw new UsageError('an S3 lake has no local folder for the site: give --out DIR');
    const out = values.out ? resolve(io.cwd, values.out) : join(lakeRoot, lakePaths.docsDir());
    const data = await collectDocs({ lakeRoot: isS3Uri(lakeRoot) ? io.cwd : lakeRoot });
    const files = renderSite(data);
    // Written beside the target and renamed into place: a server never serves half a site.
    const tmp = `${out}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    for (const [path, content] of files) {
      mkdirSync(dirname(join(tmp, path)), { recursive: true });
      writeFileSync(join(tmp, path), content);
    }
    rmSync(out, { recursive: true, force: true });
    mkdirSync(dirname(out), { recursive: true });
    renameSync(tmp, out);
    const shown = relative(io.cwd, out) || '.';
    const tested = data.tests.filter((t) => t.last).length;
    line(
      io.stdout,
      `docs: ${data.models.filter((m) => m.kind !== 'source').length} models, ${data.tests.length} data tests` +
        `${data.lastBuild ? ` (${tested} with last results)` : ' (no build report yet: run `creditlake build`)'}, ${data.metrics.length} metric documents → ${shown.startsWith('..') ? out : shown}/index.html` +
        `${existsSync(join(lakeRoot, lakePaths.warehouseDb())) ? '' : '\n  (no warehouse built: column types come from the declared schemas only)'}`,
    );
    return EXIT.OK;
  },
};
