import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from './nag.js';
import { CreditlakeStack } from './creditlake-stack.js';
import { settingsFromContext } from './settings.js';

/** Feature flags the stack relies on, set here so tests and the CLI synthesise the same template. */
export const FEATURE_FLAGS = {
  // Access-log delivery through a bucket policy instead of the legacy ACL grant (the buckets disable ACLs).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

/** Builds the app; tests call this with their own context instead of spawning the CDK CLI. */
export function buildApp(opts: { context?: Record<string, unknown>; outdir?: string } = {}): { app: App; stack: CreditlakeStack } {
  const app = new App({ context: { ...FEATURE_FLAGS, ...opts.context }, outdir: opts.outdir });
  const settings = settingsFromContext((k) => app.node.tryGetContext(k));
  const stack = new CreditlakeStack(app, 'Creditlake', {
    settings,
    description: 'Creditlake: serverless credit-management data pipeline and warehouse',
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  });
  // Every synth is checked: an unsuppressed AwsSolutions error fails `cdk synth` and `cdk deploy`.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

const isEntry = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('infra/app.ts');
if (isEntry) buildApp().app.synth();
