import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledge } from '../nag.js';
import { Construct } from 'constructs';
import { COOKIE } from '../../src/aws/auth/cookies.js';
import { DASHBOARD_CSP } from '../../src/serve/content-security-policy.js';
import { secureBucket } from './secure-bucket.js';

export interface DashboardHostingProps {
  accessLogs: s3.IBucket;
}

export interface GateOptions {
  /** The sign-in gate's function URL (AWS_IAM auth): the distribution's only origin. */
  gate: lambda.IFunctionUrl;
  /** Seconds CloudFront waits for the gate (the API's timeout; at most 60). */
  readTimeoutSeconds: number;
  /** CloudFront-scope WAF web ACL ARN (us-east-1); undefined only when the operator turned the WAF off. */
  webAclArn?: string;
}

/** The headers `creditlake serve` sends with its pages (CSP included), plus HSTS on AWS. */
function dashboardHeaders(scope: Construct): cloudfront.ResponseHeadersPolicy {
  return new cloudfront.ResponseHeadersPolicy(scope, 'PageHeaders', {
    comment: 'Creditlake dashboards: CSP and security headers',
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: DASHBOARD_CSP, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
      referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
      strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
    },
  });
}

/**
 * The dashboards' private site bucket (the bundle, deployed by DashboardSite) and, with `serveThrough`,
 * the CloudFront distribution whose every path goes to the sign-in gate: pages, their assets and
 * /api/* alike, so no behaviour exists that skips the token check. The gate reads the bundle from the
 * bucket; CloudFront has no access to the bucket at all.
 */
export class DashboardHosting extends Construct {
  readonly bucket: s3.Bucket;
  distribution?: cloudfront.Distribution;
  private readonly accessLogs: s3.IBucket;

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);
    this.accessLogs = props.accessLogs;
    this.bucket = secureBucket(this, 'Site', { accessLogs: props.accessLogs, versioned: true });
  }

  serveThrough(opts: GateOptions): cloudfront.Distribution {
    // CloudFront standard logs are delivered with ACLs, which the other buckets disable.
    const cdnLogs = secureBucket(this, 'CdnLogs', {
      accessLogs: this.accessLogs,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-cdn-logs', expiration: Duration.days(90) }],
    });
    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Creditlake dashboards (signed-in)',
      defaultBehavior: {
        origin: origins.FunctionUrlOrigin.withOriginAccessControl(opts.gate, {
          readTimeout: Duration.seconds(Math.min(60, opts.readTimeoutSeconds)),
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        // Answers depend on who asks (groups) and on the warehouse build: nothing is shared at the edge.
        cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
        originRequestPolicy: new cloudfront.OriginRequestPolicy(this, 'GateRequests', {
          comment: 'Creditlake dashboards: query string and the session cookies only',
          queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.all(),
          headerBehavior: cloudfront.OriginRequestHeaderBehavior.none(),
          cookieBehavior: cloudfront.OriginRequestCookieBehavior.allowList(...Object.values(COOKIE)),
        }),
        responseHeadersPolicy: dashboardHeaders(this),
      },
      webAclId: opts.webAclArn,
      enableLogging: true,
      logBucket: cdnLogs,
      logFilePrefix: 'cloudfront/',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    });
    const nag = [
      {
        id: 'AwsSolutions-CFR4',
        reason: 'The default *.cloudfront.net certificate cannot pin TLS 1.2; attach a custom domain and certificate to raise it.',
      },
      { id: 'AwsSolutions-CFR1', reason: 'Credit dashboards are used from wherever the finance team works; no geo block (sign-in and WAF apply everywhere).' },
    ];
    if (!opts.webAclArn) {
      nag.push({ id: 'AwsSolutions-CFR2', reason: 'The operator turned the WAF off (setting waf=false); sign-in still guards every path.' });
    }
    acknowledge(distribution, ...nag);
    this.distribution = distribution;
    return distribution;
  }
}
