import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { sliceByName } from '../serve/slices/index.js';
import { DEFAULT_GROUP_PAGES, pageOfPath, pagesOf, type GroupPages } from './auth/access.js';
import { clearCookie, COOKIE, parseCookies, setCookie } from './auth/cookies.js';
import { authorizeUrl, CALLBACK_PATH, exchangeCode, logoutUrl, refreshTokens, SIGNED_OUT_PATH, type FetchLike, type HostedUiConfig } from './auth/hosted-ui.js';
import { pkcePair, randomState } from './auth/pkce.js';
import type { SignedInUser, VerifyIdToken } from './auth/verifier.js';

/**
 * The sign-in gate in front of every path of the dashboards on AWS (pages, their assets and /api/*):
 * the one CloudFront origin is this function, so nothing reaches a page or a slice without a Cognito
 * ID token that aws-jwt-verify accepts. Anonymous page requests are redirected to the hosted UI
 * (authorization code + PKCE); anonymous API requests get 401. Groups limit the pages and their slices.
 */

export interface SiteFile {
  body: Buffer;
  contentType: string;
}

export interface WebGateDeps {
  /** Hosted UI endpoints and the app client (read once per cold start on AWS). */
  hostedUi: () => Promise<HostedUiConfig>;
  verify: () => Promise<VerifyIdToken>;
  fetch: FetchLike;
  /** The read-only dashboard API (called only for signed-in users allowed the slice's page). */
  api: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;
  /** A file of the dashboards bundle by key (`index.html`, `assets/app.js`), or undefined. */
  site: (key: string) => Promise<SiteFile | undefined>;
  groupPages?: GroupPages;
  /** Refresh-token lifetime in days (the cookie lasts as long). */
  refreshDays?: number;
}

type Result = APIGatewayProxyStructuredResultV2;

const NO_STORE = { 'cache-control': 'no-store' };

function json(status: number, body: unknown, cookies?: string[]): Result {
  return { statusCode: status, headers: { 'content-type': 'application/json; charset=utf-8', ...NO_STORE }, body: JSON.stringify(body), cookies };
}

function redirect(location: string, cookies?: string[]): Result {
  return { statusCode: 302, headers: { location, ...NO_STORE }, body: '', cookies };
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(status: number, title: string, text: string, link?: { href: string; label: string }, cookies?: string[]): Result {
  const a = link ? `<p><a href="${escapeHtml(link.href)}">${escapeHtml(link.label)}</a></p>` : '';
  return {
    statusCode: status,
    headers: { 'content-type': 'text/html; charset=utf-8', ...NO_STORE },
    body: `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p>${a}\n`,
    cookies,
  };
}

/** Only a same-origin path may be a return target (no `//evil.example`, no scheme). */
export function safeReturn(v: string | undefined | null): string {
  return v && /^\/(?![/\\])[A-Za-z0-9/_.\-?=&%]*$/.test(v) ? v : '/';
}

/** Bundle keys a request may name: plain relative paths, no `..`, no hidden files. */
function siteKey(path: string): string | undefined {
  if (path === '/' || path === '/index.html' || pageOfPath(path)) return 'index.html';
  const key = path.slice(1);
  if (!/^[A-Za-z0-9_\-/]+(\.[A-Za-z0-9]+)+$/.test(key) || key.split('/').some((s) => s === '' || s.startsWith('.'))) return undefined;
  return key;
}

function pathWithQuery(event: APIGatewayProxyEventV2): string {
  return event.rawQueryString ? `${event.rawPath}?${event.rawQueryString}` : event.rawPath;
}

export function createWebGate(deps: WebGateDeps) {
  const groupPages = deps.groupPages ?? DEFAULT_GROUP_PAGES;
  const refreshMaxAge = (deps.refreshDays ?? 30) * 86_400;

  async function startLogin(returnTo: string): Promise<Result> {
    const ui = await deps.hostedUi();
    const { verifier, challenge } = pkcePair();
    const state = randomState();
    const login = setCookie(COOKIE.login, JSON.stringify({ state, verifier, ret: safeReturn(returnTo) }), { path: '/auth/', maxAge: 600 });
    return redirect(authorizeUrl(ui, state, challenge), [login]);
  }

  async function user(cookies: Record<string, string>): Promise<SignedInUser | undefined> {
    const token = cookies[COOKIE.id];
    if (!token) return undefined;
    try {
      return await (await deps.verify())(token);
    } catch {
      // Expired, tampered, another pool's or another client's token: all mean "not signed in".
      return undefined;
    }
  }

  const sessionCookies = (idToken: string, expiresIn: number, refresh?: string) => [
    setCookie(COOKIE.id, idToken, { maxAge: expiresIn }),
    ...(refresh ? [setCookie(COOKIE.refresh, refresh, { path: '/auth/', maxAge: refreshMaxAge })] : []),
  ];

  async function callback(event: APIGatewayProxyEventV2, cookies: Record<string, string>): Promise<Result> {
    const q = new URLSearchParams(event.rawQueryString ?? '');
    let login: { state?: string; verifier?: string; ret?: string } = {};
    try {
      login = JSON.parse(cookies[COOKIE.login] ?? '{}');
    } catch {
      /* a mangled cookie is the same as none */
    }
    const code = q.get('code');
    if (!code || !login.state || q.get('state') !== login.state || !login.verifier) {
      return page(400, 'Sign-in expired', 'This sign-in link is no longer valid (it was used, or took longer than ten minutes).', { href: '/auth/login', label: 'Sign in again' }, [clearCookie(COOKIE.login, '/auth/')]);
    }
    const ui = await deps.hostedUi();
    let tokens;
    try {
      tokens = await exchangeCode(ui, code, login.verifier, deps.fetch);
      await (await deps.verify())(tokens.id_token);
    } catch (e) {
      console.error(`sign-in failed: ${(e as Error).message}`);
      return page(401, 'Sign-in failed', 'Cognito did not confirm this sign-in.', { href: '/auth/login', label: 'Sign in again' }, [clearCookie(COOKIE.login, '/auth/')]);
    }
    return redirect(safeReturn(login.ret), [...sessionCookies(tokens.id_token, tokens.expires_in, tokens.refresh_token), clearCookie(COOKIE.login, '/auth/')]);
  }

  async function refresh(event: APIGatewayProxyEventV2, cookies: Record<string, string>): Promise<Result> {
    const ret = safeReturn(new URLSearchParams(event.rawQueryString ?? '').get('return'));
    const token = cookies[COOKIE.refresh];
    if (token) {
      try {
        const tokens = await refreshTokens(await deps.hostedUi(), token, deps.fetch);
        await (await deps.verify())(tokens.id_token);
        return redirect(ret, sessionCookies(tokens.id_token, tokens.expires_in, tokens.refresh_token));
      } catch {
        // Revoked or expired refresh token: sign in again.
      }
    }
    return startLogin(ret);
  }

  return async (event: APIGatewayProxyEventV2): Promise<Result> => {
    const method = event.requestContext.http.method;
    if (method !== 'GET' && method !== 'HEAD') {
      return { statusCode: 405, headers: { allow: 'GET, HEAD', 'content-type': 'application/json' }, body: JSON.stringify({ error: 'read-only: only GET is allowed' }) };
    }
    const path = event.rawPath;
    const cookies = parseCookies(event.cookies, event.headers?.cookie);
    const q = new URLSearchParams(event.rawQueryString ?? '');

    if (path === CALLBACK_PATH) return callback(event, cookies);
    if (path === '/auth/login') return startLogin(safeReturn(q.get('return')));
    if (path === '/auth/refresh') return refresh(event, cookies);
    if (path === '/auth/logout') {
      return redirect(logoutUrl(await deps.hostedUi()), [clearCookie(COOKIE.id), clearCookie(COOKIE.refresh, '/auth/')]);
    }
    if (path === SIGNED_OUT_PATH) return page(200, 'Signed out', 'You are signed out of Creditlake.', { href: '/auth/login', label: 'Sign in' });

    const who = await user(cookies);
    const isApi = path.startsWith('/api/') || path === '/auth/me';
    if (!who) {
      const ret = isApi ? '/' : pathWithQuery(event);
      // The page reloads through /auth/refresh, which renews a session silently while the refresh token lasts.
      if (isApi) return json(401, { error: 'sign in required', sign_in: `/auth/refresh?return=${encodeURIComponent(ret)}` });
      return redirect(`/auth/refresh?return=${encodeURIComponent(ret)}`);
    }
    const pages = pagesOf(who.groups, groupPages);
    if (path === '/auth/me') return json(200, { email: who.email ?? null, groups: who.groups, pages });
    if (!pages.length) {
      const msg = `Your account is in no dashboard group (${Object.keys(groupPages).join(', ')}); ask an administrator to add you to one.`;
      return isApi ? json(403, { error: msg }) : page(403, 'No access', msg, { href: '/auth/logout', label: 'Sign out' });
    }
    if (path.startsWith('/api/')) {
      // Exports run a slice too: the same page check applies.
      const m = /^\/api\/(?:slices\/([a-z0-9_]{1,40})|export\/([a-z0-9_]{1,40})\.[a-z]{3,4})$/.exec(path);
      const slice = m ? sliceByName((m[1] ?? m[2])!) : undefined;
      if (slice && slice.page !== 'shared' && !pages.includes(slice.page)) {
        return json(403, { error: `slice ${slice.name} belongs to page ${slice.page}, which your groups (${who.groups.join(', ') || 'none'}) do not open` });
      }
      return deps.api(event);
    }
    const pageId = pageOfPath(path);
    if (pageId && !pages.includes(pageId)) {
      return page(403, 'No access', `Your groups do not open the ${pageId} page.`, { href: `/${pages[0]}`, label: `Open ${pages[0]}` });
    }
    // The landing view opens the first page this user may see.
    if (path === '/' || path === '/index.html') {
      if (!pages.includes('cfo')) return redirect(`/${pages[0]}`);
    }
    const key = siteKey(path);
    const file = key ? await deps.site(key) : undefined;
    if (!file) return page(404, 'Not found', `No such page: ${path.slice(0, 80)}`);
    const text = /^(text\/|application\/(json|javascript))|svg/.test(file.contentType);
    return {
      statusCode: 200,
      headers: { 'content-type': file.contentType, 'cache-control': key === 'index.html' ? 'no-store' : 'private, max-age=300' },
      body: text ? file.body.toString('utf8') : file.body.toString('base64'),
      isBase64Encoded: !text,
    };
  };
}
