import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CANONICAL_TABLES } from '../src/schema/index.js';
import { catalogTables, feedPrefix } from './catalog-tables.js';
import { DashboardApi } from './constructs/dashboard-api.js';
import { DashboardFirewall } from './constructs/dashboard-firewall.js';
import { authParameterName, DashboardSignIn } from './constructs/dashboard-sign-in.js';
import { DashboardHosting } from './constructs/dashboard-hosting.js';
import { DashboardSite } from './constructs/dashboard-site.js';
import { LakeCatalog } from './constructs/lake-catalog.js';
import { PipelineFunctions } from './constructs/pipeline-functions.js';
import { QueryWorkgroup, RESULTS_PREFIX } from './constructs/query-workgroup.js';
import { secureBucket } from './constructs/secure-bucket.js';
import { loadDeployedConfig, type DeployedConfig } from './project-config.js';
import type { Settings } from './settings.js';

export interface CreditlakeStackProps extends StackProps {
  settings: Settings;
  /**
   * The dashboards' CloudFront-scope web ACL when it lives elsewhere (the app's us-east-1 edge stack, or
   * the operator's `webAclArn`). Absent with the WAF on, the stack must itself be in us-east-1 and
   * creates it.
   */
  webAclArn?: string;
}

/**
 * Creditlake on AWS: feeds dropped in the landing bucket are ingested into the Parquet lake, the SQL
 * models run on Athena over the Glue catalog (on a schedule and after ingests), dashboards are served
 * from a private bucket.
 */
export class CreditlakeStack extends Stack {
  readonly settings: Settings;
  /** The project config every function gets (validated at synth). */
  readonly projectConfig: DeployedConfig;

  constructor(scope: Construct, id: string, props: CreditlakeStackProps) {
    super(scope, id, props);
    const s = (this.settings = props.settings);
    const projectConfig = (this.projectConfig = loadDeployedConfig(s.configFile));
    const accessLogs = secureBucket(this, 'AccessLogs', {
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(s.accessLogRetentionDays) }],
    });
    const landing = secureBucket(this, 'Landing', {
      accessLogs,
      versioned: true,
      lifecycleRules: [
        { id: 'expire-feeds', expiration: Duration.days(s.landingRetentionDays) },
        { id: 'expire-replaced-feeds', noncurrentVersionExpiration: Duration.days(30) },
      ],
    });
    const lake = secureBucket(this, 'Lake', {
      accessLogs,
      versioned: true,
      lifecycleRules: [
        { id: 'expire-overwritten', noncurrentVersionExpiration: Duration.days(s.lakeNoncurrentRetentionDays) },
        // Scratch objects of interrupted writes are never read; they go after a day.
        { id: 'expire-scratch', prefix: '_tmp/', expiration: Duration.days(1) },
      ],
    });
    const results = secureBucket(this, 'AthenaResults', {
      accessLogs,
      lifecycleRules: [{ id: 'expire-results', expiration: Duration.days(s.resultsRetentionDays) }],
    });

    const dbName = s.prefix.replace(/-/g, '_');
    const catalog = new LakeCatalog(this, 'Catalog', {
      databaseName: dbName,
      lakeBucket: lake,
      tables: catalogTables(),
    });
    const workgroup = new QueryWorkgroup(this, 'Athena', {
      name: s.prefix,
      resultsBucket: results,
      bytesScannedCutoffPerQuery: s.bytesScannedCutoffPerQuery,
    });
    const pipeline = new PipelineFunctions(this, 'Pipeline', {
      settings: s,
      landingBucket: landing,
      lakeBucket: lake,
      resultsBucket: results,
      feedPrefixes: CANONICAL_TABLES.map((t) => feedPrefix(t.name)),
      workgroupName: workgroup.name,
      databaseName: catalog.databaseName,
      configJson: projectConfig.json,
    });
    const dashboard = new DashboardHosting(this, 'Dashboard', { accessLogs });
    const authParameter = authParameterName(s.prefix);
    const dashboardApi = new DashboardApi(this, 'DashboardApi', {
      settings: s,
      lakeBucket: lake,
      resultsBucket: results,
      resultsPrefix: RESULTS_PREFIX,
      workgroupName: workgroup.name,
      databaseName: catalog.databaseName,
      siteBucket: dashboard.bucket,
      authParameterName: authParameter,
      configJson: projectConfig.json,
    });
    let signIn: DashboardSignIn | undefined;
    if (s.dashboardCdn) {
      let webAclArn = props.webAclArn;
      if (s.waf && !webAclArn) {
        if (this.region !== 'us-east-1') {
          throw new Error('the dashboards WAF must be created in us-east-1: pass webAclArn (infra/app.ts adds an edge stack there)');
        }
        webAclArn = new DashboardFirewall(this, 'DashboardFirewall', { rateLimit: s.wafRateLimit, metricPrefix: s.prefix }).webAcl.attrArn;
      }
      const distribution = dashboard.serveThrough({
        gate: dashboardApi.functionUrl,
        readTimeoutSeconds: s.dashboardApiTimeoutSeconds,
        webAclArn: s.waf ? webAclArn : undefined,
      });
      signIn = new DashboardSignIn(this, 'SignIn', { settings: s, publicOrigin: `https://${distribution.distributionDomainName}`, parameterName: authParameter });
    }
    new DashboardSite(this, 'DashboardSite', { bucket: dashboard.bucket, distribution: dashboard.distribution, mode: s.lambdaCode });

    new CfnOutput(this, 'LandingBucketName', { value: landing.bucketName, description: 'Drop feeds at <table>/<file>.csv, mapped/<preset>/<file>, einvoices/<file>.xml or credit-reports/<file>' });
    new CfnOutput(this, 'LakeUri', { value: `s3://${lake.bucketName}/`, description: 'Lake root (config "lake")' });
    new CfnOutput(this, 'AthenaWorkgroup', { value: workgroup.name });
    new CfnOutput(this, 'GlueDatabase', { value: catalog.databaseName });
    new CfnOutput(this, 'IngestDeadLetterQueueUrl', { value: pipeline.ingestDeadLetterQueue.queueUrl });
    new CfnOutput(this, 'BuildStateMachineArn', {
      value: pipeline.orchestration.stateMachine.stateMachineArn,
      description: 'Config "athena": {"state_machine_arn": …} makes `creditlake build --target athena` start or join this build',
    });
    new CfnOutput(this, 'DashboardBucketName', { value: dashboard.bucket.bucketName });
    new CfnOutput(this, 'DashboardApiFunctionName', { value: dashboardApi.function.functionName });
    if (dashboard.distribution) {
      new CfnOutput(this, 'DashboardUrl', { value: `https://${dashboard.distribution.distributionDomainName}/` });
    }
    if (signIn) {
      new CfnOutput(this, 'UserPoolId', {
        value: signIn.userPool.userPoolId,
        description: 'Add users: aws cognito-idp admin-create-user --user-pool-id <id> --username <email>; then admin-add-user-to-group (cfo, credit, marketing)',
      });
    }
  }
}
