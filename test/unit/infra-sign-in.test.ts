/**
 * Sign-in and WAF in the CDK app: a Cognito user pool where only admins create users (MFA, groups per
 * audience, threat protection), a public PKCE client whose callback is the distribution, the gate's
 * settings in one SSM parameter, and a CloudFront-scope WAF web ACL (rate limit + AWS managed rule
 * groups) that lives in us-east-1: in the main stack there, in an edge stack from any other region.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { MANAGED_RULE_GROUPS } from '../../infra/constructs/dashboard-firewall.js';
import { AwsSolutionsChecks } from '../../infra/nag.js';
import { parseSettings } from '../../infra/settings.js';

type Resource = { Type: string; Properties: Record<string, any> };
const placeholder = { 'creditlake:lambdaCode': 'placeholder' };
const ofType = (resources: Record<string, Resource>, type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);

function nagFindings(scope: import('constructs').IConstruct): string[] {
  return new AwsSolutionsChecks().validateScope(scope).violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
}

describe('stack in eu-west-1 (WAF in a us-east-1 edge stack)', () => {
  let main: Record<string, Resource>;
  let edge: Record<string, Resource>;
  let built: ReturnType<typeof buildApp>;
  beforeAll(() => {
    built = buildApp({ context: { ...placeholder, 'creditlake:wafRateLimit': '500' }, env: { account: '123456789012', region: 'eu-west-1' } });
    main = Template.fromStack(built.stack).toJSON().Resources;
    edge = Template.fromStack(built.edge!).toJSON().Resources;
  });

  it('has a user pool with admin-created users only, required TOTP MFA, a strong password policy and threat protection', () => {
    const pools = ofType(main, 'AWS::Cognito::UserPool');
    expect(pools).toHaveLength(1);
    const p = pools[0]![1].Properties;
    expect(p.AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
    expect(p.MfaConfiguration).toBe('ON');
    expect(p.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(p.Policies.PasswordPolicy).toMatchObject({ MinimumLength: 12, RequireSymbols: true, RequireUppercase: true, RequireNumbers: true });
    expect(p.UserPoolTier).toBe('PLUS');
    expect(p.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
    expect(pools[0]![1]).toMatchObject({ DeletionPolicy: 'Retain' });
    const groups = ofType(main, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName).sort();
    expect(groups).toEqual(['cfo', 'credit', 'marketing']);
  });

  it('has a public app client (code grant + PKCE, no secret, no password flows) whose callback is the distribution', () => {
    const [, c] = ofType(main, 'AWS::Cognito::UserPoolClient')[0]!;
    const props = c.Properties;
    expect(props.GenerateSecret).toBe(false);
    expect(props.AllowedOAuthFlows).toEqual(['code']);
    expect(props.ExplicitAuthFlows).toEqual(['ALLOW_REFRESH_TOKEN_AUTH']);
    expect(props.PreventUserExistenceErrors).toBe('ENABLED');
    const callback = JSON.stringify(props.CallbackURLs);
    expect(callback).toContain('DashboardDistribution');
    expect(callback).toContain('/auth/callback');
    expect(JSON.stringify(props.LogoutURLs)).toContain('/auth/signed-out');
  });

  it('hands the gate pool, client, sign-in domain and public origin through one SSM parameter', () => {
    const [, p] = ofType(main, 'AWS::SSM::Parameter')[0]!;
    expect(p.Properties.Name).toBe('/creditlake/dashboard-auth');
    const value = JSON.stringify(p.Properties.Value);
    for (const part of ['userPoolId', 'clientId', 'domainUrl', 'publicOrigin', 'DashboardDistribution']) expect(value).toContain(part);
    const fn = ofType(main, 'AWS::Lambda::Function').find(([id]) => id.startsWith('DashboardApiFunction'))![1];
    expect(fn.Properties.Environment.Variables.AUTH_PARAMETER).toBe('/creditlake/dashboard-auth');
  });

  it('puts the WAF web ACL in us-east-1 with the rate rule first, then the AWS managed rule groups, and attaches it to the distribution', () => {
    expect(built.edge!.region).toBe('us-east-1');
    expect(built.edge!.account).toBe('123456789012');
    expect(ofType(main, 'AWS::WAFv2::WebACL')).toHaveLength(0);
    const acls = ofType(edge, 'AWS::WAFv2::WebACL');
    expect(acls).toHaveLength(1);
    const acl = acls[0]![1].Properties;
    expect(acl.Scope).toBe('CLOUDFRONT');
    expect(acl.DefaultAction).toEqual({ Allow: {} });
    expect(acl.Rules[0]).toMatchObject({ Name: 'RateLimitPerIp', Priority: 0, Action: { Block: {} }, Statement: { RateBasedStatement: { AggregateKeyType: 'IP', Limit: 500 } } });
    const managed = acl.Rules.slice(1).map((r: any) => r.Statement.ManagedRuleGroupStatement);
    expect(managed).toEqual(MANAGED_RULE_GROUPS.map((name) => ({ VendorName: 'AWS', Name: name })));
    expect(MANAGED_RULE_GROUPS).toContain('AWSManagedRulesCommonRuleSet');
    const [, dist] = ofType(main, 'AWS::CloudFront::Distribution')[0]!;
    expect(JSON.stringify(dist.Properties.DistributionConfig.WebACLId)).toMatch(/ExportsReader.*DashboardFirewallWebAcl/);
  });

  it('passes cdk-nag in both stacks without acknowledging CFR2 (WAF) or any Cognito rule', () => {
    expect(nagFindings(built.stack)).toEqual([]);
    expect(nagFindings(built.edge!)).toEqual([]);
    const acks: string[] = [];
    for (const c of built.app.node.findAll()) {
      for (const m of c.node.metadata) if (m.type === 'aws:cdk:acknowledged-rules') acks.push(...Object.keys(m.data as object));
    }
    expect(acks.filter((a) => /CFR2|COG\d/.test(a))).toEqual([]);
  });
});

describe('other placements', () => {
  it('in us-east-1 the web ACL sits in the main stack and no edge stack is made', () => {
    const built = buildApp({ context: placeholder, env: { account: '123456789012', region: 'us-east-1' } });
    expect(built.edge).toBeUndefined();
    const t = Template.fromStack(built.stack);
    t.resourceCountIs('AWS::WAFv2::WebACL', 1);
    const dist = Object.values(t.toJSON().Resources as Record<string, Resource>).find((r) => r.Type === 'AWS::CloudFront::Distribution')!;
    expect(JSON.stringify(dist.Properties.DistributionConfig.WebACLId)).toContain('DashboardFirewallWebAcl');
    expect(nagFindings(built.stack)).toEqual([]);
  });

  it("uses the operator's web ACL as given, and says what to set when the region is unknown", () => {
    const arn = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/corp/11111111-2222-3333-4444-555555555555';
    const built = buildApp({ context: { ...placeholder, 'creditlake:webAclArn': arn }, env: {} });
    expect(built.edge).toBeUndefined();
    const dist = Object.values(Template.fromStack(built.stack).toJSON().Resources as Record<string, Resource>).find((r) => r.Type === 'AWS::CloudFront::Distribution')!;
    expect(dist.Properties.DistributionConfig.WebACLId).toBe(arn);
    expect(() => buildApp({ context: placeholder, env: {} })).toThrow(/WAF lives in us-east-1 .*AWS_REGION.*webAclArn/);
    expect(() => parseSettings({ webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/1' })).toThrow(/webAclArn: a CloudFront-scope/);
  });

  it('waf=false is an explicit, acknowledged choice; essentials plan likewise', () => {
    const built = buildApp({ context: { ...placeholder, 'creditlake:waf': 'false', 'creditlake:cognitoFeaturePlan': 'essentials', 'creditlake:mfa': 'optional' }, env: {} });
    const t = Template.fromStack(built.stack);
    t.resourceCountIs('AWS::WAFv2::WebACL', 0);
    t.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'OPTIONAL', UserPoolTier: 'ESSENTIALS' });
    expect(nagFindings(built.stack)).toEqual([]);
  });
});
