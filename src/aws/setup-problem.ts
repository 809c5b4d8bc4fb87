/**
 * The AWS SDK's errors for a machine without AWS set up, as one line a person can act on (the SDK's
 * own "Region is missing" comes with a stack trace through its internals and no hint). Kept free of
 * imports so the CLI entry point can use it without loading the SDK.
 */
export function awsSetupProblem(e: unknown): string | undefined {
  if (!(e instanceof Error)) return undefined;
  if (e.message === 'Region is missing') return 'no AWS region: set AWS_REGION, or an AWS_PROFILE that has a region';
  if (e.name === 'CredentialsProviderError') return `no AWS credentials: set AWS_PROFILE or AWS credentials in the environment (${e.message})`;
  return undefined;
}
