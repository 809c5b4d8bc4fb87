/**
 * The session cookies of the signed-in dashboards. HttpOnly (no script reads a token), Secure (HTTPS
 * only, as CloudFront serves), SameSite=Lax (the hosted UI's redirect back is a top-level GET that must
 * carry the PKCE cookie; cross-site subrequests carry none).
 */
export const COOKIE = {
  /** The Cognito ID token: who the user is and their groups. */
  id: 'cl_id',
  /** The refresh token, sent only to /auth/ where the gate renews an expired ID token. */
  refresh: 'cl_refresh',
  /** PKCE verifier, state and return path of a sign-in in progress (ten minutes). */
  login: 'cl_login',
} as const;

/** Cookie values from payload 2.0 `cookies` (one `name=value` each) or a Cookie header. */
export function parseCookies(cookies: readonly string[] | undefined, header?: string): Record<string, string> {
  const out: Record<string, string> = {};
  const parts = [...(cookies ?? []), ...(header ? header.split(';') : [])];
  for (const part of parts) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    const raw = part.slice(i + 1).trim();
    // The first occurrence wins (the most specific path), as browsers order them.
    if (name in out) continue;
    try {
      out[name] = decodeURIComponent(raw);
    } catch {
      out[name] = raw;
    }
  }
  return out;
}

export interface CookieOptions {
  path?: string;
  /** Seconds; 0 deletes the cookie. */
  maxAge?: number;
}

export function setCookie(name: string, value: string, opts: CookieOptions = {}): string {
  const attrs = [`${name}=${encodeURIComponent(value)}`, `Path=${opts.path ?? '/'}`, 'HttpOnly', 'Secure', 'SameSite=Lax'];
  if (opts.maxAge !== undefined) attrs.push(`Max-Age=${Math.max(0, Math.floor(opts.maxAge))}`);
  return attrs.join('; ');
}

export const clearCookie = (name: string, path = '/') => setCookie(name, '', { path, maxAge: 0 });
