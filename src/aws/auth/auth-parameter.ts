import { z } from 'zod';

/**
 * What the gate needs to know about sign-in, as the stack stores it in one SSM parameter. A parameter
 * and not environment variables: the app client's callback URL names the CloudFront distribution,
 * whose origin is the gate itself, so the function cannot reference the client without a cycle.
 */
export const AuthParameterSchema = z
  .object({
    userPoolId: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d_[A-Za-z0-9]+$/, 'a Cognito user pool id such as eu-west-1_AbC123'),
    clientId: z.string().min(1),
    domainUrl: z.string().url(),
    publicOrigin: z.string().url(),
  })
  .strict();

export type AuthParameter = z.infer<typeof AuthParameterSchema>;

export function parseAuthParameter(text: string, name: string): AuthParameter {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error(`SSM parameter ${name} is not JSON`);
  }
  const r = AuthParameterSchema.safeParse(raw);
  if (!r.success) throw new Error(`SSM parameter ${name}: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}
