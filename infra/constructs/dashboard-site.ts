import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Lazy, Stack } from 'aws-cdk-lib';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as s3 from 'aws-cdk-lib/aws-s3';
// cdk-nag's own renderer, so acknowledged ids match its findings exactly.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { bundleIsStale, DIST_DIR } from '../../src/serve/bundle.js';
import { PROJECT_ROOT } from '../lambda-code.js';
import { acknowledge } from '../nag.js';

/** A page that says what it is, for unit-test synthesis (`lambdaCode: placeholder`); never deployed. */
const PLACEHOLDER_PAGE = '<!doctype html><title>Creditlake</title><p>placeholder: synthesised without the dashboards bundle</p>\n';

/**
 * The dashboards' front end as a deployment source: the esbuild bundle `creditlake serve` builds
 * (dashboards/dist), rebuilt first when a source file is newer. Synthesis is synchronous, so the
 * build runs as a child process (bin/run-ts.js, as `npm run build:dashboards`).
 */
export function dashboardBundleSource(mode: 'esbuild' | 'placeholder'): s3deploy.ISource {
  if (mode === 'placeholder') return s3deploy.Source.data('index.html', PLACEHOLDER_PAGE);
  if (bundleIsStale()) {
    const r = spawnSync(process.execPath, [join('bin', 'run-ts.js'), join('src', 'serve', 'build-dashboards.ts')], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    if (r.status !== 0) throw new Error(`building the dashboards bundle failed (exit ${r.status ?? r.signal}): run \`npm run build:dashboards\``);
  }
  return s3deploy.Source.asset(DIST_DIR);
}

export interface DashboardSiteProps {
  bucket: s3.IBucket;
  distribution?: cloudfront.IDistribution;
  mode: 'esbuild' | 'placeholder';
}

/** Copies the dashboards bundle into the private site bucket on deploy and invalidates CloudFront. */
export class DashboardSite extends Construct {
  readonly deployment: s3deploy.BucketDeployment;

  constructor(scope: Construct, id: string, props: DashboardSiteProps) {
    super(scope, id);
    this.deployment = new s3deploy.BucketDeployment(this, 'Deploy', {
      sources: [dashboardBundleSource(props.mode)],
      destinationBucket: props.bucket,
      // Files of an older bundle go; the bucket is versioned, so a bad deploy can be rolled back.
      prune: true,
      distribution: props.distribution,
      // The bundle's file names carry no hash: one wildcard invalidation per deploy.
      distributionPaths: props.distribution ? ['/*'] : undefined,
      memoryLimit: 512,
    });
    namedDeploymentActions(this.deployment, props.distribution);
  }
}

/**
 * What the deploy-time copy (`aws s3 cp` of the asset zip, `aws s3 sync --delete` into the bucket,
 * one CloudFront invalidation) needs, for each wildcard action CDK grants its handler.
 */
const NAMED: Record<string, string[]> = {
  's3:GetObject*': ['s3:GetObject'],
  's3:GetBucket*': ['s3:GetBucketLocation'],
  's3:List*': ['s3:ListBucket'],
  's3:DeleteObject*': ['s3:DeleteObject'],
  's3:Abort*': ['s3:AbortMultipartUpload'],
};

type Statement = { Action: string | string[]; Resource: unknown; [k: string]: unknown };

/**
 * CDK's BucketDeployment handler role gets wildcard verbs (`s3:GetObject*`, `s3:List*`, …) and
 * invalidation rights on every distribution. The project names every action, so the role's policy is
 * rewritten to the named verbs the handler uses, and invalidations are scoped to this distribution.
 */
function namedDeploymentActions(deployment: s3deploy.BucketDeployment, distribution?: cloudfront.IDistribution): void {
  const role = deployment.handlerRole as iam.Role;
  const stack = Stack.of(deployment);
  const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  const cfn = policy?.node.defaultChild as iam.CfnPolicy | undefined;
  if (!cfn) throw new Error('BucketDeployment handler role has no default policy to scope');
  const original = cfn.policyDocument as unknown;
  const scoped = (): { Version?: string; Statement: Statement[] } => {
    const doc = stack.resolve(original) as { Version?: string; Statement: Statement[] };
    return {
      ...doc,
      Statement: doc.Statement.map((st) => {
        const actions = [...new Set([st.Action].flat().flatMap((a) => NAMED[a] ?? [a]))];
        const wild = actions.find((a) => a.includes('*'));
        if (wild) throw new Error(`BucketDeployment: no named replacement for ${wild}`);
        const invalidation = actions.every((a) => a.startsWith('cloudfront:'));
        const resource = invalidation && distribution ? stack.resolve(distribution.distributionArn) : st.Resource;
        return { ...st, Action: actions, Resource: resource };
      }),
    };
  };
  // Lazy: statements CDK adds later are scoped too, and cdk-nag checks the same document CloudFormation gets.
  cfn.policyDocument = Lazy.any({ produce: scoped });
  const statements = scoped().Statement;

  const handler = findDeploymentHandler(stack);
  const why =
    'CDK-owned deploy-time handler that copies the dashboards bundle into the site bucket: objects of the CDK asset ' +
    'bucket and of the site bucket (bucket/*), every action named (see namedDeploymentActions).';
  for (const st of statements) {
    for (const r of [st.Resource].flat()) {
      const rendered = flattenCfnReference(r);
      if (rendered === '*') throw new Error('BucketDeployment: Resource "*" left after scoping');
      if (rendered.endsWith('/*')) acknowledge(role, { id: `AwsSolutions-IAM5[Resource::${rendered}]`, reason: why });
    }
  }
  if (handler) {
    acknowledge(
      handler,
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'CDK-owned deploy-time handler; the managed policy only lets it write its own logs.',
      },
      { id: 'AwsSolutions-L1', reason: 'CDK-owned deploy-time handler; its runtime is chosen (and updated) by aws-cdk-lib.' },
    );
  }
}

function findDeploymentHandler(stack: Stack) {
  return stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
}
