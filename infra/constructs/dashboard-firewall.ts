import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';

export interface DashboardFirewallProps {
  /** Requests one IP may make in any 5-minute window before it is blocked. */
  rateLimit: number;
  metricPrefix: string;
}

/** AWS managed rule groups the dashboards' web ACL runs, in priority order after the rate limit. */
export const MANAGED_RULE_GROUPS = [
  // Addresses Amazon threat intelligence lists as bots, scanners and DDoS sources.
  'AWSManagedRulesAmazonIpReputationList',
  // OWASP-style protections (bad user agents, oversized bodies, XSS and path traversal in the request).
  'AWSManagedRulesCommonRuleSet',
  // Request patterns known to exploit vulnerabilities (Log4j, Java deserialisation, localhost Host).
  'AWSManagedRulesKnownBadInputsRuleSet',
] as const;

/**
 * The CloudFront-scope web ACL in front of the dashboards: a per-IP rate limit first, so a flood of
 * page or API requests cannot spend the Athena quota the nightly build needs, then AWS managed rule
 * groups. CloudFront only accepts web ACLs created in us-east-1: this construct must live in a stack
 * there (infra/app.ts places it).
 */
export class DashboardFirewall extends Construct {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: DashboardFirewallProps) {
    super(scope, id);
    const visibility = (name: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${props.metricPrefix}-${name}`,
    });
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'CLOUDFRONT',
      description: 'Creditlake dashboards: rate limit and AWS managed rules',
      defaultAction: { allow: {} },
      visibilityConfig: visibility('dashboards'),
      rules: [
        {
          name: 'RateLimitPerIp',
          priority: 0,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: props.rateLimit, evaluationWindowSec: 300 } },
          visibilityConfig: visibility('rate-limit'),
        },
        ...MANAGED_RULE_GROUPS.map((name, i) => ({
          name,
          priority: i + 1,
          overrideAction: { none: {} },
          statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
          visibilityConfig: visibility(name),
        })),
      ],
    });
  }
}
