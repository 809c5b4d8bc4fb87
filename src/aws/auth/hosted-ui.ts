/**
 * Cognito's OAuth 2.0 endpoints (managed login / hosted UI) for a public app client with PKCE: no client
 * secret exists, so none can leak from the function's environment.
 */
export interface HostedUiConfig {
  /** https://<domain-prefix>.auth.<region>.amazoncognito.com */
  domainUrl: string;
  clientId: string;
  /** The dashboards' origin, e.g. https://d111.cloudfront.net (callback and sign-out URLs hang off it). */
  publicOrigin: string;
}

export const CALLBACK_PATH = '/auth/callback';
export const SIGNED_OUT_PATH = '/auth/signed-out';

export const callbackUrl = (c: HostedUiConfig) => `${c.publicOrigin}${CALLBACK_PATH}`;

export function authorizeUrl(c: HostedUiConfig, state: string, challenge: string): string {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: c.clientId,
    redirect_uri: callbackUrl(c),
    scope: 'openid email profile',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  return `${c.domainUrl}/oauth2/authorize?${q}`;
}

export function logoutUrl(c: HostedUiConfig): string {
  return `${c.domainUrl}/logout?${new URLSearchParams({ client_id: c.clientId, logout_uri: `${c.publicOrigin}${SIGNED_OUT_PATH}` })}`;
}

export interface Tokens {
  id_token: string;
  refresh_token?: string;
  expires_in: number;
}

export class TokenEndpointError extends Error {}

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string }) => Promise<{
  ok: boolean;
  status: number;
  json(): Promise<unknown>;
}>;

async function tokenRequest(c: HostedUiConfig, fetchImpl: FetchLike, form: Record<string, string>): Promise<Tokens> {
  const res = await fetchImpl(`${c.domainUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: c.clientId, ...form }).toString(),
  });
  const body = (await res.json().catch(() => ({}))) as Partial<Tokens> & { error?: string };
  if (!res.ok || typeof body.id_token !== 'string') {
    throw new TokenEndpointError(`token endpoint answered ${res.status}${body.error ? ` (${body.error})` : ''}`);
  }
  return { id_token: body.id_token, refresh_token: body.refresh_token, expires_in: Number(body.expires_in ?? 3600) };
}

export function exchangeCode(c: HostedUiConfig, code: string, verifier: string, fetchImpl: FetchLike): Promise<Tokens> {
  return tokenRequest(c, fetchImpl, { grant_type: 'authorization_code', code, redirect_uri: callbackUrl(c), code_verifier: verifier });
}

export function refreshTokens(c: HostedUiConfig, refreshToken: string, fetchImpl: FetchLike): Promise<Tokens> {
  return tokenRequest(c, fetchImpl, { grant_type: 'refresh_token', refresh_token: refreshToken });
}
