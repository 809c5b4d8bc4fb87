import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * A stand-in Cognito user pool for tests: an RSA key whose public half is the pool's JWKS, ID tokens
 * signed with it exactly as Cognito signs them (RS256, kid, iss, aud, token_use), and a token endpoint
 * that checks the PKCE verifier against the challenge of the authorize request.
 */
export const TEST_POOL = { region: 'eu-west-1', userPoolId: 'eu-west-1_TestPool1', clientId: 'testclient123' };
export const ISSUER = `https://cognito-idp.${TEST_POOL.region}.amazonaws.com/${TEST_POOL.userPoolId}`;

export function testPool() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'test-key-1';
  const jwks = { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }] };
  return { jwks, idToken: (claims: Record<string, unknown> = {}, key: KeyObject = privateKey) => idToken(kid, key, claims) };
}

function b64(o: unknown) {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

function idToken(kid: string, key: KeyObject, claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    sub: '7f1c0000-0000-4000-8000-000000000001',
    iss: ISSUER,
    aud: TEST_POOL.clientId,
    token_use: 'id',
    auth_time: now,
    iat: now,
    exp: now + 3600,
    email: 'cfo@example.nl',
    'cognito:groups': ['cfo'],
    ...claims,
  };
  const head = `${b64({ alg: 'RS256', kid, typ: 'JWT' })}.${b64(payload)}`;
  return `${head}.${sign('RSA-SHA256', Buffer.from(head), key).toString('base64url')}`;
}

export const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
