import { CognitoJwtVerifier } from 'aws-jwt-verify';

export interface SignedInUser {
  sub: string;
  email?: string;
  groups: string[];
}

export type VerifyIdToken = (token: string) => Promise<SignedInUser>;

/**
 * Checks a Cognito ID token with aws-jwt-verify (signature against the pool's JWKS, issuer, audience =
 * our app client, token_use = id, expiry). `jwks` pre-loads the key set (tests; otherwise it is fetched
 * from the pool's well-known URL once per cold start and on an unknown key id).
 */
export function cognitoIdTokenVerifier(opts: { userPoolId: string; clientId: string; jwks?: { keys: unknown[] } }): VerifyIdToken {
  const verifier = CognitoJwtVerifier.create({ userPoolId: opts.userPoolId, tokenUse: 'id', clientId: opts.clientId });
  if (opts.jwks) verifier.cacheJwks(opts.jwks as Parameters<typeof verifier.cacheJwks>[0]);
  return async (token) => {
    const p = await verifier.verify(token);
    const groups = Array.isArray(p['cognito:groups']) ? p['cognito:groups'].map(String) : [];
    return { sub: p.sub, email: typeof p.email === 'string' ? p.email : undefined, groups };
  };
}
