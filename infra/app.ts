import { App, Stack, Token, Validations, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from './nag.js';
import { CreditlakeStack } from './creditlake-stack.js';
import { DashboardFirewall } from './constructs/dashboard-firewall.js';
import { settingsFromContext, type Settings } from './settings.js';

/** Feature flags the stack relies on, set here so tests and the CLI synthesise the same template. */
export const FEATURE_FLAGS = {
  // Access-log delivery through a bucket policy instead of the legacy ACL grant (the buckets disable ACLs).
  '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy': true,
};

export const EDGE_REGION = 'us-east-1';

/**
 * CloudFront takes WAF web ACLs from us-east-1 only. A stack elsewhere gets its web ACL from a small
 * `Creditlake-edge` stack in us-east-1 (same account), handed over by CDK's cross-region references
 * (an SSM parameter the main stack reads at deploy time); `cdk deploy --all` deploys both in order.
 */
function edgeWebAcl(app: App, settings: Settings, env: Environment): { stack?: Stack; arn?: string } {
  if (!settings.dashboardCdn || !settings.waf) return {};
  if (settings.webAclArn) return { arn: settings.webAclArn };
  if (env.region === EDGE_REGION) return {};
  if (!env.region || Token.isUnresolved(env.region)) {
    throw new Error(
      'the dashboards WAF lives in us-east-1 and needs a concrete region for the main stack: ' +
        'set AWS_REGION or an AWS_PROFILE with a region (cdk passes it as CDK_DEFAULT_REGION), or pass -c creditlake:webAclArn=<existing CloudFront web ACL>',
    );
  }
  const stack = new Stack(app, 'Creditlake-edge', {
    env: { account: env.account, region: EDGE_REGION },
    description: 'Creditlake: the dashboards WAF web ACL (CloudFront scope lives in us-east-1)',
    crossRegionReferences: true,
  });
  const fw = new DashboardFirewall(stack, 'DashboardFirewall', { rateLimit: settings.wafRateLimit, metricPrefix: settings.prefix });
  return { stack, arn: fw.webAcl.attrArn };
}

/** Builds the app; tests call this with their own context (and env) instead of spawning the CDK CLI. */
export function buildApp(
  opts: { context?: Record<string, unknown>; outdir?: string; env?: Environment } = {},
): { app: App; stack: CreditlakeStack; edge?: Stack } {
  const app = new App({ context: { ...FEATURE_FLAGS, ...opts.context }, outdir: opts.outdir });
  const settings = settingsFromContext((k) => app.node.tryGetContext(k));
  const env = opts.env ?? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION };
  const edge = edgeWebAcl(app, settings, env);
  const stack = new CreditlakeStack(app, 'Creditlake', {
    settings,
    description: 'Creditlake: serverless credit-management data pipeline and warehouse',
    env,
    webAclArn: edge.arn,
    crossRegionReferences: edge.stack !== undefined,
  });
  // Every synth is checked: an unsuppressed AwsSolutions error fails `cdk synth` and `cdk deploy`.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack, edge: edge.stack };
}

const isEntry = import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('infra/app.ts');
if (isEntry) buildApp().app.synth();
