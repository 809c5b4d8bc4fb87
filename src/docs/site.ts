import { escapeHtml as h } from './markdown.js';

/**
 * The static docs site of a warehouse, as files (path → content): pure rendering of what
 * collect.ts gathered, so it can be tested without a lake. No script and no inline style: the pages
 * work from a folder, and under the dashboards server's content security policy at /docs.
 */
export type DocsKind = 'source' | 'staging' | 'intermediate' | 'marts';

export interface DocsColumn {
  name: string;
  type: string;
  description: string;
}

export interface DocsModel {
  name: string;
  kind: DocsKind;
  description: string;
  /** SQL file relative to the project (models only). */
  path?: string;
  sql?: string;
  /** Upstream: models it refs and raw tables it reads (as `raw.<table>`). */
  upstream: string[];
  columns: DocsColumn[];
}

export interface DocsTest {
  name: string;
  /** Models the test checks. */
  models: string[];
  sql?: string;
  /** Outcome of the last build, when it ran. */
  last?: { ok: boolean; failingRows: number; error?: string };
}

export interface DocsData {
  generatedAt: string;
  lake: string;
  lastBuild?: { finishedAt: string; ok: boolean };
  models: DocsModel[];
  tests: DocsTest[];
  metrics: { file: string; title: string; html: string }[];
}

const KIND_LABEL: Record<DocsKind, string> = { source: 'raw tables', staging: 'staging', intermediate: 'intermediate', marts: 'marts' };
const KINDS: DocsKind[] = ['source', 'staging', 'intermediate', 'marts'];

export const modelPage = (name: string) => `models/${name.replace(/[^a-zA-Z0-9_.-]/g, '_')}.html`;

function page(title: string, body: string, depth: number): string {
  const up = depth ? '../'.repeat(depth) : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(title)} · creditlake docs</title><link rel="stylesheet" href="${up}docs.css"></head>
<body><nav><a href="${up}index.html">models</a> <a href="${up}lineage.html">lineage</a> <a href="${up}tests.html">data tests</a> <a href="${up}metrics.html">metrics</a></nav>
<main>${body}</main></body></html>
`;
}

function firstSentence(s: string): string {
  const m = /^(.*?[.!?])(\s|$)/.exec(s);
  return m ? m[1]! : s;
}

function testStatus(t: DocsTest): string {
  if (!t.last) return '<span class="na">not run</span>';
  if (t.last.error) return `<span class="fail">error</span> ${h(t.last.error)}`;
  return t.last.ok ? '<span class="pass">pass</span>' : `<span class="fail">FAIL</span> ${t.last.failingRows} failing row${t.last.failingRows === 1 ? '' : 's'}`;
}

function link(name: string, models: ReadonlyMap<string, DocsModel>, depth: number): string {
  const m = models.get(name);
  return m ? `<a href="${'../'.repeat(depth)}${modelPage(name)}">${h(name)}</a>` : h(name);
}

/** The lineage graph as SVG: one column per layer, an edge per ref() (and per raw table read). */
export function lineageSvg(models: readonly DocsModel[], depth = 0): string {
  const col = new Map<DocsKind, DocsModel[]>(KINDS.map((k) => [k, models.filter((m) => m.kind === k)]));
  const rowH = 22;
  const colW = 300;
  const pos = new Map<string, { x: number; y: number }>();
  KINDS.forEach((k, ci) => col.get(k)!.forEach((m, ri) => pos.set(m.name, { x: 50 + ci * colW, y: 50 + ri * rowH })));
  const height = 60 + Math.max(...KINDS.map((k) => col.get(k)!.length)) * rowH;
  const edges: string[] = [];
  for (const m of models) {
    const to = pos.get(m.name);
    for (const u of m.upstream) {
      const from = pos.get(u);
      if (!from || !to) continue;
      if (from.x === to.x) {
        // Within a layer (an intermediate model reading another): an arc on the left.
        const x = from.x - 6;
        edges.push(`<path d="M${x},${from.y - 4} C${x - 30},${from.y - 4} ${x - 30},${to.y - 4} ${x},${to.y - 4}" fill="none" stroke="#c3cad3" stroke-width="1"/>`);
        continue;
      }
      const x1 = from.x + 230;
      const y1 = from.y - 4;
      const x2 = to.x - 4;
      const y2 = to.y - 4;
      edges.push(`<path d="M${x1},${y1} C${x1 + 40},${y1} ${x2 - 40},${y2} ${x2},${y2}" fill="none" stroke="#9aa5b1" stroke-width="1"/>`);
    }
  }
  const up = '../'.repeat(depth);
  const nodes = models
    .filter((m) => pos.has(m.name))
    .map((m) => {
      const p = pos.get(m.name)!;
      const label = `<text x="${p.x}" y="${p.y}" font-size="12" font-family="sans-serif" fill="#1f2933">${h(m.name)}</text>`;
      return m.kind === 'source' ? label : `<a href="${up}${modelPage(m.name)}">${label}</a>`;
    });
  const heads = KINDS.map((k, ci) => `<text x="${50 + ci * colW}" y="24" font-size="13" font-weight="bold" font-family="sans-serif" fill="#52606d">${KIND_LABEL[k]}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${50 + KINDS.length * colW}" height="${height}" role="img" aria-label="lineage">${heads.join('')}${edges.join('')}${nodes.join('')}</svg>`;
}

export function renderSite(data: DocsData): Map<string, string> {
  const files = new Map<string, string>();
  const models = new Map(data.models.map((m) => [m.name, m]));
  const downstream = new Map<string, string[]>();
  for (const m of data.models) for (const u of m.upstream) downstream.set(u, [...(downstream.get(u) ?? []), m.name]);
  const testsOf = (name: string) => data.tests.filter((t) => t.models.includes(name));

  const built = data.lastBuild
    ? `Last build ${h(data.lastBuild.finishedAt)}: ${data.lastBuild.ok ? '<span class="pass">ok</span>' : '<span class="fail">FAILED</span>'}.`
    : 'No build report yet: data test results appear after `creditlake build`.';
  const sections = KINDS.filter((k) => k !== 'source').map((k) => {
    const rows = data.models
      .filter((m) => m.kind === k)
      .map((m) => `<tr><td><a href="${modelPage(m.name)}">${h(m.name)}</a></td><td>${h(firstSentence(m.description))}</td></tr>`);
    return `<h2>${KIND_LABEL[k]}</h2><table><thead><tr><th>model</th><th>what it holds</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  });
  const failing = data.tests.filter((t) => t.last && !t.last.ok).length;
  files.set(
    'index.html',
    page(
      'models',
      `<h1>Creditlake warehouse</h1><p>Lake <code>${h(data.lake)}</code>; generated ${h(data.generatedAt)}. ${built} ` +
        `${data.models.filter((m) => m.kind !== 'source').length} models, ${data.tests.length} data tests${data.lastBuild ? ` (${failing} failing)` : ''}.</p>${sections.join('')}`,
      0,
    ),
  );

  for (const m of data.models.filter((x) => x.kind !== 'source')) {
    const cols = m.columns.map((c) => `<tr><td><code>${h(c.name)}</code></td><td>${h(c.type)}</td><td>${h(c.description)}</td></tr>`).join('');
    const ups = m.upstream.map((u) => link(u, models, 1)).join(', ') || 'none';
    const downs = (downstream.get(m.name) ?? []).map((d) => link(d, models, 1)).join(', ') || 'none';
    const tests = testsOf(m.name).map((t) => `<tr><td>${h(t.name)}</td><td>${testStatus(t)}</td></tr>`).join('');
    const sub = data.models.filter((x) => x.name === m.name || m.upstream.includes(x.name) || (downstream.get(m.name) ?? []).includes(x.name));
    files.set(
      modelPage(m.name),
      page(
        m.name,
        `<h1>${h(m.name)} <small>${KIND_LABEL[m.kind]}</small></h1><p>${h(m.description)}</p>` +
          `<p><strong>Reads:</strong> ${ups}<br><strong>Read by:</strong> ${downs}</p>` +
          `<div class="graph">${lineageSvg(sub, 1)}</div>` +
          `<h2>Columns</h2><table><thead><tr><th>column</th><th>type</th><th>description</th></tr></thead><tbody>${cols}</tbody></table>` +
          `<h2>Data tests</h2>${tests ? `<table><tbody>${tests}</tbody></table>` : '<p>none</p>'}` +
          (m.sql ? `<h2>SQL <small>sql/${h(m.path ?? '')}</small></h2><pre><code>${h(m.sql)}</code></pre>` : ''),
        1,
      ),
    );
  }

  files.set('lineage.html', page('lineage', `<h1>Lineage</h1><p>Every edge is a <code>ref()</code> or a raw table a staging model reads.</p><div class="graph">${lineageSvg(data.models)}</div>`, 0));
  const testRows = data.tests
    .map((t) => `<tr><td>${h(t.name)}</td><td>${t.models.map((x) => link(x, models, 0)).join(', ')}</td><td>${testStatus(t)}</td></tr>`)
    .join('');
  files.set('tests.html', page('data tests', `<h1>Data tests</h1><p>${built}</p><table><thead><tr><th>test</th><th>checks</th><th>last result</th></tr></thead><tbody>${testRows}</tbody></table>`, 0));
  files.set(
    'metrics.html',
    page('metrics', `<h1>Metric formulas</h1>${data.metrics.map((m) => `<section><p class="src">${h(m.file)}</p>${m.html}</section>`).join('')}`, 0),
  );
  files.set(
    'docs.css',
    `body{font:14px/1.5 system-ui,sans-serif;margin:0;color:#1f2933}nav{background:#1f2933;padding:8px 16px}nav a{color:#fff;margin-right:16px;text-decoration:none}
main{max-width:1200px;margin:0 auto;padding:16px}table{border-collapse:collapse;margin:8px 0}td,th{border-bottom:1px solid #e4e7eb;padding:4px 8px;text-align:left;vertical-align:top}
pre{background:#f5f7fa;padding:12px;overflow:auto}small{color:#7b8794;font-weight:normal}.pass{color:#127a3a;font-weight:bold}.fail{color:#b42318;font-weight:bold}.na{color:#7b8794}
.graph{overflow:auto;border:1px solid #e4e7eb;margin:8px 0}.src{color:#7b8794}
`,
  );
  return files;
}
