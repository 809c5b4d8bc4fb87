import { createHash, randomBytes } from 'node:crypto';

/** RFC 7636 S256: the verifier stays in an HttpOnly cookie, the challenge goes to the hosted UI. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const randomState = () => randomBytes(16).toString('base64url');
