/**
 * The sign-in gate in front of the dashboards on AWS, with the real aws-jwt-verify against a test pool's
 * keys: anonymous requests are redirected (pages) or refused (API), forged, expired and foreign tokens
 * are refused, the hosted-UI round trip uses PKCE, and groups limit pages and their slices.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { cognitoIdTokenVerifier } from '../../src/aws/auth/verifier.js';
import { parseAuthParameter } from '../../src/aws/auth/auth-parameter.js';
import { createWebGate, safeReturn, type WebGateDeps } from '../../src/aws/web-gate.js';
import { s256, TEST_POOL, testPool } from '../support/cognito-tokens.js';

const pool = testPool();
const ui = { domainUrl: 'https://acme.auth.eu-west-1.amazoncognito.com', clientId: TEST_POOL.clientId, publicOrigin: 'https://d111.cloudfront.net' };

function event(path: string, opts: { query?: string; cookies?: string[]; method?: string } = {}): APIGatewayProxyEventV2 {
  return {
    rawPath: path,
    rawQueryString: opts.query ?? '',
    cookies: opts.cookies,
    headers: {},
    requestContext: { http: { method: opts.method ?? 'GET' } },
  } as unknown as APIGatewayProxyEventV2;
}

function gate(overrides: Partial<WebGateDeps> = {}) {
  const api = vi.fn(async (e: APIGatewayProxyEventV2) => ({ statusCode: 200, body: JSON.stringify({ answered: e.rawPath }) }));
  const tokenCalls: URLSearchParams[] = [];
  const deps: WebGateDeps = {
    hostedUi: async () => ui,
    verify: async () => cognitoIdTokenVerifier({ userPoolId: TEST_POOL.userPoolId, clientId: TEST_POOL.clientId, jwks: pool.jwks }),
    fetch: async (_url, init) => {
      const form = new URLSearchParams(init.body);
      tokenCalls.push(form);
      return { ok: true, status: 200, json: async () => ({ id_token: pool.idToken(), refresh_token: 'refresh-1', expires_in: 3600 }) };
    },
    api,
    site: async (key) => (key === 'index.html' ? { body: Buffer.from('<html>app</html>'), contentType: 'text/html; charset=utf-8' } : key === 'assets/app.js' ? { body: Buffer.from('app()'), contentType: 'text/javascript' } : undefined),
    ...overrides,
  };
  return { handle: createWebGate(deps), api, tokenCalls };
}

const cookie = (token: string) => [`cl_id=${token}`];

describe('anonymous requests', () => {
  it('redirects every page and asset to sign-in and answers 401 on the API, without calling it', async () => {
    const { handle, api } = gate();
    for (const path of ['/', '/cfo', '/risk', '/assets/app.js', '/index.html']) {
      const res = await handle(event(path));
      expect(res.statusCode, path).toBe(302);
      expect(res.headers!.location).toBe(`/auth/refresh?return=${encodeURIComponent(path)}`);
    }
    const res = await handle(event('/api/slices/dso_trend', { query: 'period=3m' }));
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body as string)).toMatchObject({ error: 'sign in required' });
    expect((await handle(event('/api/meta'))).statusCode).toBe(401);
    expect(api).not.toHaveBeenCalled();
  });

  it('refuses forged, expired, foreign-client and access tokens', async () => {
    const { handle, api } = gate();
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const bad = [
      pool.idToken({}, other),
      pool.idToken({ exp: Math.floor(Date.now() / 1000) - 60 }),
      pool.idToken({ aud: 'another-client' }),
      pool.idToken({ token_use: 'access' }),
      pool.idToken({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' }),
      'not.a.jwt',
    ];
    for (const t of bad) expect((await handle(event('/api/meta', { cookies: cookie(t) }))).statusCode).toBe(401);
    // A token with its payload edited (groups raised) fails the signature check.
    const [h, p, s] = pool.idToken({ 'cognito:groups': ['marketing'] }).split('.');
    const raised = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), 'cognito:groups': ['cfo'] })).toString('base64url');
    expect((await handle(event('/api/meta', { cookies: cookie(`${h}.${raised}.${s}`) }))).statusCode).toBe(401);
    expect(api).not.toHaveBeenCalled();
  });

  it('refuses anything but GET and HEAD', async () => {
    const { handle } = gate();
    expect((await handle(event('/api/meta', { method: 'POST', cookies: cookie(pool.idToken()) }))).statusCode).toBe(405);
  });
});

describe('sign-in round trip (authorization code + PKCE)', () => {
  it('sends the user to the hosted UI with a challenge, exchanges the code with the verifier and sets HttpOnly session cookies', async () => {
    const { handle, tokenCalls } = gate();
    const start = await handle(event('/auth/login', { query: 'return=%2Frisk%3Fas_of%3D2024-06-30' }));
    expect(start.statusCode).toBe(302);
    const authorize = new URL(start.headers!.location as string);
    expect(authorize.origin + authorize.pathname).toBe(`${ui.domainUrl}/oauth2/authorize`);
    expect(authorize.searchParams.get('redirect_uri')).toBe('https://d111.cloudfront.net/auth/callback');
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const loginCookie = start.cookies![0]!;
    expect(loginCookie).toMatch(/^cl_login=.*; Path=\/auth\/; HttpOnly; Secure; SameSite=Lax; Max-Age=600$/);
    const cookieValue = loginCookie.split(';')[0]!;

    // A callback with another state (a forged link) is refused before any token request.
    expect((await handle(event('/auth/callback', { query: 'code=abc&state=forged', cookies: [cookieValue] }))).statusCode).toBe(400);
    expect(tokenCalls).toHaveLength(0);

    const state = authorize.searchParams.get('state')!;
    const done = await handle(event('/auth/callback', { query: `code=abc&state=${state}`, cookies: [cookieValue] }));
    expect(done.statusCode).toBe(302);
    expect(done.headers!.location).toBe('/risk?as_of=2024-06-30');
    expect(tokenCalls).toHaveLength(1);
    expect(tokenCalls[0]!.get('grant_type')).toBe('authorization_code');
    expect(s256(tokenCalls[0]!.get('code_verifier')!)).toBe(authorize.searchParams.get('code_challenge'));
    const set = done.cookies!.join('\n');
    expect(set).toMatch(/^cl_id=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=3600$/m);
    expect(set).toMatch(/^cl_refresh=refresh-1; Path=\/auth\/; HttpOnly; Secure/m);

    // The session cookie now opens the page.
    const idCookie = done.cookies!.find((c) => c.startsWith('cl_id='))!.split(';')[0]!;
    const pageRes = await handle(event('/risk', { cookies: [idCookie] }));
    expect(pageRes.statusCode).toBe(200);
    expect(pageRes.body).toBe('<html>app</html>');
  });

  it('renews an expired session from the refresh token, and starts a sign-in when there is none', async () => {
    const { handle, tokenCalls } = gate();
    const renewed = await handle(event('/auth/refresh', { query: 'return=%2Fcfo', cookies: ['cl_refresh=refresh-1'] }));
    expect(renewed.statusCode).toBe(302);
    expect(renewed.headers!.location).toBe('/cfo');
    expect(tokenCalls[0]!.get('grant_type')).toBe('refresh_token');
    expect(renewed.cookies!.some((c) => c.startsWith('cl_id='))).toBe(true);
    const fresh = await handle(event('/auth/refresh', { query: 'return=%2Fcfo' }));
    expect(fresh.headers!.location).toMatch(/^https:\/\/acme\.auth\./);
  });

  it('never redirects off-site after sign-in', () => {
    expect(safeReturn('//evil.example/x')).toBe('/');
    expect(safeReturn('https://evil.example')).toBe('/');
    expect(safeReturn('/\\evil.example')).toBe('/');
    expect(safeReturn('/cfo?as_of=2024-06-30')).toBe('/cfo?as_of=2024-06-30');
  });

  it('signs out: clears both cookies and ends the hosted-UI session', async () => {
    const { handle } = gate();
    const res = await handle(event('/auth/logout'));
    expect(res.headers!.location).toBe(`${ui.domainUrl}/logout?client_id=${ui.clientId}&logout_uri=${encodeURIComponent('https://d111.cloudfront.net/auth/signed-out')}`);
    expect(res.cookies).toEqual([expect.stringMatching(/^cl_id=; .*Max-Age=0$/), expect.stringMatching(/^cl_refresh=; Path=\/auth\/;.*Max-Age=0$/)]);
  });
});

describe('groups limit pages and their slices', () => {
  it('marketing opens the marketing page and its slices only; cfo opens everything', async () => {
    const { handle, api } = gate();
    const marketing = cookie(pool.idToken({ 'cognito:groups': ['marketing'] }));
    expect((await handle(event('/marketing', { cookies: marketing }))).statusCode).toBe(200);
    expect((await handle(event('/cfo', { cookies: marketing }))).statusCode).toBe(403);
    expect((await handle(event('/', { cookies: marketing }))).headers!.location).toBe('/marketing');
    const denied = await handle(event('/api/slices/dso_trend', { cookies: marketing }));
    expect(denied.statusCode).toBe(403);
    expect(JSON.parse(denied.body as string).error).toMatch(/page cfo/);
    // A full export runs the slice too, and the customer page and worklist are the credit team's.
    expect((await handle(event('/api/export/top_overdue.xlsx', { cookies: marketing }))).statusCode).toBe(403);
    expect((await handle(event('/api/slices/worklist', { cookies: marketing }))).statusCode).toBe(403);
    expect((await handle(event('/customers/C1', { cookies: marketing }))).statusCode).toBe(403);
    expect(api).not.toHaveBeenCalled();
    expect((await handle(event('/api/meta', { cookies: marketing }))).statusCode).toBe(200);
    const me = await handle(event('/auth/me', { cookies: marketing }));
    expect(JSON.parse(me.body as string)).toEqual({ email: 'cfo@example.nl', groups: ['marketing'], pages: ['marketing'] });

    const cfo = cookie(pool.idToken({ 'cognito:groups': ['cfo'] }));
    expect((await handle(event('/api/slices/dso_trend', { cookies: cfo, query: 'period=3m' }))).statusCode).toBe(200);
    expect(api).toHaveBeenCalledTimes(2);
  });

  it('a user in no group sees no page and no data', async () => {
    const { handle, api } = gate();
    const none = cookie(pool.idToken({ 'cognito:groups': undefined }));
    expect((await handle(event('/cfo', { cookies: none }))).statusCode).toBe(403);
    expect((await handle(event('/api/meta', { cookies: none }))).statusCode).toBe(403);
    expect(api).not.toHaveBeenCalled();
  });

  it('serves bundle files but never hidden files or paths outside the bundle', async () => {
    const { handle } = gate();
    const c = cookie(pool.idToken());
    expect((await handle(event('/assets/app.js', { cookies: c }))).statusCode).toBe(200);
    expect((await handle(event('/../secret.txt', { cookies: c }))).statusCode).toBe(404);
    expect((await handle(event('/.env', { cookies: c }))).statusCode).toBe(404);
  });
});

describe('auth parameter', () => {
  it('names the bad field of a malformed parameter', () => {
    expect(() => parseAuthParameter(JSON.stringify({ ...ui, userPoolId: 'x' }), '/creditlake/auth')).toThrow(/\/creditlake\/auth: userPoolId: a Cognito user pool id/);
  });
});
