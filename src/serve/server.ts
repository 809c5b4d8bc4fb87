import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { extname, join, resolve, sep } from 'node:path';
import { lakePaths } from '../lake/layout.js';
import type { AddressInfo } from 'node:net';
import { handleApiRequest, prewarm, startView, viewRequests } from './api.js';
import { PAGES_WITHOUT_CHART_LIBRARY, parseState, sliceUrl } from './view-state.js';
import { ensureDashboardBundle } from './bundle.js';
import { DASHBOARD_CSP } from './content-security-policy.js';
import type { RawQuery } from './params.js';
import { defaultSettings, type DashboardSettings } from './settings.js';
import { WarehouseSource } from './warehouse.js';
import type { WarehouseEngine } from '../warehouse/engine.js';

export interface ServerOptions {
  lakeRoot: string;
  /** 0 (default in tests) picks a free port. */
  port?: number;
  settings?: DashboardSettings;
  log?: (message: string) => void;
  /** Answer every page's default view once at start, so the first visit is served from memory (default on). */
  prewarm?: boolean;
  /** Where the API's engine comes from; default the lake's warehouse.duckdb, reopened after each build. */
  source?: { engine(): Promise<WarehouseEngine>; close(): Promise<void> };
}

export interface RunningServer {
  url: string;
  port: number;
  /** Settles when the prewarm (every page's default slices, run once at start) has finished; at once without one. */
  prewarmed: Promise<void>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.txt': 'text/plain; charset=utf-8',
};

/** How long an idle keep-alive connection stays open (see startServer). */
export const KEEP_ALIVE_MS = 60_000;

const PAGES = new Set(['/', '/cfo', '/marketing', '/risk', '/collections', '/worklist', '/customers']);
/** /customers/<customer id>: the page's own path (the id is checked by the browser and the API). */
const CUSTOMER_PAGE = /^\/customers\/[^/?#]{1,120}(\/[^/?#]{1,120})*$/;

/**
 * Everything the page may load comes from this origin. Inline styles are allowed because ECharts
 * sets element styles; scripts only from our own bundle.
 */
const SECURITY_HEADERS = {
  'content-security-policy': DASHBOARD_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

interface Asset {
  body: Buffer;
  /** Content hash: a revisit revalidates with If-None-Match and gets 304, so the browser keeps its parsed script. */
  etag: string;
  /** Pre-compressed copy for clients that accept gzip (the ECharts bundle shrinks about 3×). */
  gzip?: Buffer;
  type: string;
}

/** The bundle is small: read it once into memory, so the server never maps a URL to a file path. */
function loadAssets(distDir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const f of readdirSync(join(distDir, 'assets'))) {
    const type = TYPES[extname(f)];
    if (!type) continue;
    const body = readFileSync(join(distDir, 'assets', f));
    assets.set(`/assets/${f}`, { body, etag: etagOf(body), type, gzip: body.length > 1024 ? gzipSync(body, { level: 9 }) : undefined });
  }
  const html = readFileSync(join(distDir, 'index.html'));
  assets.set('/index.html', { body: html, etag: etagOf(html), type: TYPES['.html']! });
  return assets;
}

/**
 * The page with a preload hint per slice its view will request: the browser fetches the data while
 * it downloads and compiles the script, and the page's own requests take those answers (same URL,
 * same mode) instead of starting after the script has run.
 */
export function pageWithDataPreloads(html: string, pathname: string, search: string): string {
  const links = viewRequests(pathname, search)
    .map((r) => `  <link rel="preload" href="${escapeAttr(sliceUrl(r.slice, r.query))}" as="fetch" crossorigin>\n`)
    .join('');
  // A page drawn without the chart library does not download and compile it beside its own script.
  if (PAGES_WITHOUT_CHART_LIBRARY.includes(parseState(pathname, search).page)) html = html.replace(/^ *<link rel="modulepreload"[^>\n]*data-chart-library>\n/gm, '');
  const end = html.indexOf('</head>');
  return end < 0 ? html : html.slice(0, end) + links + html.slice(end);
}

function escapeAttr(v: string): string {
  return v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function etagOf(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

function queryOf(url: URL): RawQuery {
  // No prototype: a `__proto__` key is stored as a key (and refused by flattenQuery), not swallowed.
  const out: RawQuery = Object.create(null) as RawQuery;
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    out[key] = all.length === 1 ? all[0] : all;
  }
  return out;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer, head: boolean): void {
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers, 'content-length': String(Buffer.byteLength(body)) });
  res.end(head ? undefined : body);
}

/**
 * The Host names the server answers to. A page on another origin that rebinds its DNS name to
 * 127.0.0.1 still sends its own name in Host: refusing it keeps the ledger from being read that way.
 */
export function allowedHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const h = host.toLowerCase();
  return h === `127.0.0.1:${port}` || h === `localhost:${port}` || h === `[::1]:${port}` ||
    (port === 80 && (h === '127.0.0.1' || h === 'localhost' || h === '[::1]'));
}

/**
 * A page of the docs site `creditlake docs` wrote into the lake (read per request, so a rewritten
 * site shows at once); undefined when absent, never a file outside that folder.
 */
function docsFile(lakeRoot: string, pathname: string): { body: Buffer; type: string } | 'redirect' | undefined {
  if (pathname === '/docs') return 'redirect';
  const root = resolve(lakeRoot, lakePaths.docsDir());
  let rel: string;
  try {
    rel = decodeURIComponent(pathname.slice('/docs/'.length)) || 'index.html';
  } catch {
    return undefined;
  }
  const file = resolve(root, rel);
  const type = TYPES[extname(file)];
  if (!type || !file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) return undefined;
  return { body: readFileSync(file), type };
}

/** Starts the local dashboard server on 127.0.0.1 (never on other interfaces). */
export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const log = opts.log ?? (() => undefined);
  const distDir = await ensureDashboardBundle(log);
  const assets = loadAssets(distDir);
  const source = opts.source ?? new WarehouseSource(opts.lakeRoot);
  const settings = opts.settings ?? defaultSettings;
  // Known once listening; the Host check compares against it.
  let port = -1;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const head = req.method === 'HEAD';
    if (!allowedHost(req.headers.host, port)) {
      send(res, 403, { 'content-type': 'application/json' }, JSON.stringify({ error: `host not allowed: use http://127.0.0.1:${port}/` }), head);
      return;
    }
    if (req.method !== 'GET' && !head) {
      send(res, 405, { allow: 'GET, HEAD', 'content-type': 'application/json' }, JSON.stringify({ error: 'read-only: only GET is allowed' }), false);
      return;
    }
    if ((req.url ?? '').length > 4096) {
      send(res, 414, { 'content-type': 'application/json' }, JSON.stringify({ error: 'URL too long' }), head);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/api/')) {
      let engine;
      try {
        engine = await source.engine();
      } catch (e) {
        send(res, 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }, JSON.stringify({ error: (e as Error).message }), head);
        return;
      }
      const r = await handleApiRequest(url.pathname, queryOf(url), engine, { settings, log });
      send(res, r.status, r.headers, r.base64 ? Buffer.from(r.body, 'base64') : r.body, head);
      return;
    }
    if (url.pathname === '/docs' || url.pathname.startsWith('/docs/')) {
      const doc = docsFile(opts.lakeRoot, url.pathname);
      if (doc === 'redirect') send(res, 301, { location: '/docs/', 'content-type': 'text/plain; charset=utf-8' }, 'moved', head);
      else if (!doc) send(res, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'no such page: run `creditlake docs` to write the docs site', head);
      else send(res, 200, { 'content-type': doc.type, 'cache-control': 'no-cache' }, doc.body, head);
      return;
    }
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const isPage = PAGES.has(path) || CUSTOMER_PAGE.test(path);
    // The page's data is started now, not when its script has loaded and asks for it (startView).
    if (isPage && !head) {
      void source
        .engine()
        .then((engine) => startView(engine, url.pathname, url.search, { settings, log }))
        .catch(() => undefined);
    }
    const asset = isPage ? assets.get('/index.html') : assets.get(url.pathname);
    if (!asset) {
      send(res, 404, { 'content-type': 'text/plain; charset=utf-8' }, 'not found', head);
      return;
    }
    const isAsset = url.pathname.startsWith('/assets/');
    const cache = isAsset ? 'no-cache' : 'no-store';
    const gzip = asset.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const headers: Record<string, string> = { 'content-type': asset.type, 'cache-control': cache, vary: 'accept-encoding' };
    if (isAsset) {
      headers.etag = asset.etag;
      if (req.headers['if-none-match'] === asset.etag) {
        res.writeHead(304, { ...SECURITY_HEADERS, ...headers });
        res.end();
        return;
      }
    }
    if (isPage) {
      send(res, 200, headers, pageWithDataPreloads(asset.body.toString('utf8'), url.pathname, url.search), head);
      return;
    }
    if (gzip) headers['content-encoding'] = 'gzip';
    send(res, 200, headers, gzip ? asset.gzip! : asset.body, head);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      log(`serve: ${(e as Error).stack ?? String(e)}`);
      if (!res.headersSent) send(res, 500, { 'content-type': 'application/json' }, JSON.stringify({ error: 'internal error' }), false);
      else res.destroy();
    });
  });
  // An idle keep-alive connection stays open a minute (Node's default is 5 s). A client sends its
  // next request on a connection it believes open; with a 5 s limit a client whose event loop lags
  // under load (the Playwright proxy of the browser tests, in the server's own process) reuses one
  // the server has just closed, gets ECONNRESET, and a GET it does not retry is never answered.
  // A page's requests come seconds apart (a user reading, a test hovering): a minute covers them.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  const prewarmed =
    opts.prewarm !== false
      ? source
          .engine()
          .then((engine) => prewarm(engine, { settings, log }))
          .catch(() => undefined)
      : Promise.resolve();
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    prewarmed,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await source.close();
    },
  };
}
