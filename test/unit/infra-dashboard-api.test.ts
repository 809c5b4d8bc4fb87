/**
 * The dashboards on AWS: the read-only API Lambda behind CloudFront (/api/*, function URL with IAM auth
 * and origin access control), its least-privilege role, the page routes and the bundle deployment into
 * the private site bucket. Placeholder Lambda code and site keep synthesis fast.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler } from '../../infra/lambda-code.js';
import { DASHBOARD_CSP } from '../../src/serve/content-security-policy.js';
import { buildApp } from '../../infra/app.js';
import { DASHBOARD_ATHENA_ACTIONS, DASHBOARD_GLUE_ACTIONS, DASHBOARD_READ_PREFIXES } from '../../infra/constructs/dashboard-api.js';

type Resource = { Type: string; Properties: Record<string, any> };
let resources: Record<string, Resource>;
let template: Template;

beforeAll(() => {
  const { stack } = buildApp({
    context: { 'creditlake:lambdaCode': 'placeholder', 'creditlake:dashboardApiTimeoutSeconds': '40', 'creditlake:prefix': 'acme-credit' },
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
});

const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const apiFunctionId = () => {
  const found = ofType('AWS::Lambda::Function').filter(([id]) => id.startsWith('DashboardApiFunction'));
  expect(found).toHaveLength(1);
  return found[0]![0];
};
const policyOfRole = (roleRef: unknown) =>
  ofType('AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.Roles) === JSON.stringify([roleRef]));

describe('dashboard API Lambda', () => {
  it('runs with the Glue database, workgroup and lake from the stack, and the configured timeout', () => {
    const fn = resources[apiFunctionId()]!.Properties;
    expect(fn.Environment.Variables).toMatchObject({ ATHENA_WORKGROUP: 'acme-credit', GLUE_DATABASE: 'acme_credit', QUERY_TIMEOUT_MS: '37000' });
    expect(JSON.stringify(fn.Environment.Variables.LAKE_URI)).toContain('Lake');
    expect(fn.Timeout).toBe(40);
    expect(fn.Handler).toBe('index.handler');
  });

  it('is the only origin of the distribution: every path (pages, assets, /api/*) reaches the sign-in gate through an IAM-authenticated function URL', () => {
    const id = apiFunctionId();
    const urls = ofType('AWS::Lambda::Url').filter(([, u]) => u.Properties.TargetFunctionArn['Fn::GetAtt'][0] === id);
    expect(urls).toHaveLength(1);
    expect(urls[0]![1].Properties.AuthType).toBe('AWS_IAM');

    const perms = ofType('AWS::Lambda::Permission').filter(([, p]) => JSON.stringify(p.Properties.FunctionName).includes(urls[0]![0]) || JSON.stringify(p.Properties.FunctionName).includes(id));
    expect(perms.map(([, p]) => p.Properties.Action).sort()).toEqual(['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl']);
    for (const [, p] of perms) {
      expect(p.Properties.Principal).toBe('cloudfront.amazonaws.com');
      expect(JSON.stringify(p.Properties.SourceArn)).toMatch(/:distribution\/.*DashboardDistribution/);
    }

    const [, dist] = ofType('AWS::CloudFront::Distribution')[0]!;
    const cfg = dist.Properties.DistributionConfig;
    // No second behaviour and no second origin: nothing can skip the gate (no S3 origin for the bundle).
    expect(cfg.CacheBehaviors ?? []).toEqual([]);
    expect(cfg.Origins).toHaveLength(1);
    const gate = cfg.DefaultCacheBehavior;
    expect(gate).toMatchObject({ AllowedMethods: ['GET', 'HEAD'], ViewerProtocolPolicy: 'redirect-to-https' });
    // Managed policy CachingDisabled: answers depend on the user's groups and on the warehouse build.
    expect(gate.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    const origin = cfg.Origins[0];
    expect(JSON.stringify(origin.DomainName)).toContain(urls[0]![0]);
    expect(origin.CustomOriginConfig).toMatchObject({ OriginProtocolPolicy: 'https-only', OriginReadTimeout: 40 });
    const oacId = origin.OriginAccessControlId['Fn::GetAtt'][0];
    expect(resources[oacId]!.Properties.OriginAccessControlConfig).toMatchObject({
      OriginAccessControlOriginType: 'lambda',
      SigningBehavior: 'always',
      SigningProtocol: 'sigv4',
    });
    const requestPolicy = resources[gate.OriginRequestPolicyId.Ref]!.Properties.OriginRequestPolicyConfig;
    expect(requestPolicy).toMatchObject({
      QueryStringsConfig: { QueryStringBehavior: 'all' },
      HeadersConfig: { HeaderBehavior: 'none' },
      CookiesConfig: { CookieBehavior: 'whitelist', Cookies: ['cl_id', 'cl_refresh', 'cl_login'] },
    });
    expect(ofType('AWS::CloudFront::OriginAccessControl').map(([, o]) => o.Properties.OriginAccessControlConfig.OriginAccessControlOriginType)).toEqual(['lambda']);
  });

  it('reserves concurrency for the dashboards Lambda, so page traffic cannot starve ingest and build', () => {
    expect(resources[apiFunctionId()]!.Properties.ReservedConcurrentExecutions).toBe(10);
  });

  it('names its read-only query rights: Athena on the workgroup, Glue reads on the database, lake reads under marts/ only', () => {
    const role = resources[apiFunctionId()]!.Properties.Role;
    const policies = policyOfRole({ Ref: role['Fn::GetAtt'][0] });
    expect(policies).toHaveLength(1);
    const statements: any[] = policies[0]![1].Properties.PolicyDocument.Statement;
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(bySid.RunAthenaQueries.Action).toEqual(DASHBOARD_ATHENA_ACTIONS);
    expect(DASHBOARD_ATHENA_ACTIONS).toEqual(expect.arrayContaining(['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults']));
    expect(JSON.stringify(bySid.RunAthenaQueries.Resource)).toContain(':workgroup/acme-credit');
    expect(bySid.ReadCatalog.Action).toEqual(DASHBOARD_GLUE_ACTIONS);
    expect(DASHBOARD_GLUE_ACTIONS.every((a) => a.startsWith('glue:Get') || a.startsWith('glue:BatchGet'))).toBe(true);
    expect(JSON.stringify(bySid.ReadCatalog.Resource)).toMatch(/table\/acme_credit\/\*/);
    expect(bySid.ReadLake.Action).toBe('s3:GetObject');
    const objects = JSON.stringify(bySid.ReadLake.Resource);
    expect([bySid.ReadLake.Resource].flat()).toHaveLength(1);
    expect(objects).toContain('/marts/*');
    // No raw file, commit record or quarantined row: the slices read marts only (dim_customers, not the customers view).
    for (const p of ['/raw/', '/manifests/', '/retired/', '/quarantine/']) expect(objects).not.toContain(p);
    expect(bySid.ListLake.Condition.StringLike['s3:prefix']).toEqual(['marts/', 'marts/*']);
    expect(DASHBOARD_READ_PREFIXES).toEqual(['marts/']);
    expect(JSON.stringify(bySid.QueryResults.Resource)).toContain('/results/*');

    const actions = statements.flatMap((s) => [s.Action].flat() as string[]);
    for (const a of actions) expect(a, a).not.toContain('*');
    for (const s of statements) expect([s.Resource].flat()).not.toContain('*');
    // Read-only on data: no writes to the lake, no catalog changes, no other service.
    const lakeWrites = statements.filter((s) => JSON.stringify(s.Resource).includes('Lake') && [s.Action].flat().some((a: string) => !/^s3:(Get|List)/.test(a)));
    expect(lakeWrites).toEqual([]);
    expect(actions.filter((a) => a.startsWith('glue:') && !/^glue:(Batch)?Get/.test(a))).toEqual([]);
    expect([...new Set(actions.map((a) => a.split(':')[0]))].sort()).toEqual(['athena', 'glue', 'logs', 's3', 'ssm']);
    expect(bySid.ReadSignInSettings.Action).toBe('ssm:GetParameter');
    expect(JSON.stringify(bySid.ReadSignInSettings.Resource)).toContain(':parameter/acme-credit/dashboard-auth');
    expect(JSON.stringify(bySid.ReadSiteBundle.Resource)).toContain('DashboardSite');
  });
});

describe('dashboard site', () => {
  it('deploys the bundle into the private site bucket and invalidates the distribution', () => {
    const deployments = ofType('Custom::CDKBucketDeployment');
    expect(deployments).toHaveLength(1);
    const d = deployments[0]![1].Properties;
    expect(d.DestinationBucketName.Ref).toMatch(/^DashboardSite/);
    expect(d.Prune).toBe(true);
    expect(d.DistributionPaths).toEqual(['/*']);
    expect(d.DistributionId.Ref).toMatch(/^DashboardDistribution/);
  });

  it("scopes the deployment handler's rights: named actions, invalidations on this distribution only", () => {
    const [, policy] = ofType('AWS::IAM::Policy').find(([id]) => id.startsWith('CustomCDKBucketDeployment'))!;
    const statements: any[] = policy.Properties.PolicyDocument.Statement;
    for (const s of statements) {
      for (const a of [s.Action].flat()) expect(a).not.toContain('*');
      expect([s.Resource].flat()).not.toContain('*');
    }
    const cf = statements.find((s) => [s.Action].flat().includes('cloudfront:CreateInvalidation'));
    expect(JSON.stringify(cf.Resource)).toMatch(/:distribution\/.*DashboardDistribution/);
  });

  it('sends the same Content-Security-Policy as `creditlake serve` with every page', () => {
    const [, dist] = ofType('AWS::CloudFront::Distribution')[0]!;
    const ref = dist.Properties.DistributionConfig.DefaultCacheBehavior.ResponseHeadersPolicyId.Ref;
    const headers = resources[ref]!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers.ContentSecurityPolicy).toEqual({ ContentSecurityPolicy: DASHBOARD_CSP, Override: true });
    expect(DASHBOARD_CSP).toMatch(/script-src 'self';.*connect-src 'self'/);
    expect(headers.FrameOptions.FrameOption).toBe('DENY');
    expect(headers.StrictTransportSecurity.AccessControlMaxAgeSec).toBeGreaterThan(0);
  });
});

describe('dashboard API bundle (real esbuild)', () => {
  it('bundles without DuckDB, loads in a bare Node and names the missing environment', () => {
    const b = bundleHandler('functions/dashboard-api.ts');
    try {
      expect(b.withDuckDB).toBe(false);
      const script =
        "const m = await import('./index.mjs'); console.log(typeof m.handler); " +
        "try { await m.handler({ rawPath: '/api/meta', rawQueryString: '', requestContext: { http: { method: 'GET' } } }); } catch (e) { console.log(e.message); }";
      const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: b.dir, encoding: 'utf8', env: { PATH: process.env.PATH } });
      expect(out.trim().split('\n')).toEqual(['function', 'LAKE_URI, ATHENA_WORKGROUP and GLUE_DATABASE must be set']);
      // aws-jwt-verify is bundled (the deployed code verifies tokens with the version we test).
      expect(readFileSync(join(b.dir, 'index.mjs'), 'utf8')).toContain('JwtInvalidSignatureError');
    } finally {
      rmSync(b.dir, { recursive: true, force: true });
    }
  });
});
