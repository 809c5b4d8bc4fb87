import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { acknowledge } from '../nag.js';
import { Construct } from 'constructs';
import { DASHBOARD_CSP } from '../../src/serve/content-security-policy.js';
import { PAGES } from '../../src/serve/slices/types.js';
import { secureBucket } from './secure-bucket.js';

export interface DashboardHostingProps {
  accessLogs: s3.IBucket;
  /** Serve the bucket through CloudFront (origin access control); off leaves a private bucket only. */
  cdn: boolean;
}

/**
 * The dashboards are one page with a path per view (/cfo, /risk, …, shared as links): those paths get
 * index.html, as `creditlake serve` answers them; everything else is looked up in the bucket as is.
 */
function pageRoutes(scope: Construct): cloudfront.Function {
  const pages = PAGES.join('|');
  return new cloudfront.Function(scope, 'PageRoutes', {
    runtime: cloudfront.FunctionRuntime.JS_2_0,
    comment: 'Creditlake dashboards: page paths serve index.html',
    code: cloudfront.FunctionCode.fromInline(
      `function handler(event) {\n  var r = event.request;\n  if (/^\\/(${pages})\\/?$/.test(r.uri)) r.uri = '/index.html';\n  return r;\n}`,
    ),
  });
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

/** A private bucket for the static dashboard, read by CloudFront only (OAC); the dashboard issue fills it. */
export class DashboardHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution?: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);
    this.bucket = secureBucket(this, 'Site', { accessLogs: props.accessLogs, versioned: true });
    if (!props.cdn) return;
    // CloudFront standard logs are delivered with ACLs, which the other buckets disable.
    const cdnLogs = secureBucket(this, 'CdnLogs', {
      accessLogs: props.accessLogs,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ id: 'expire-cdn-logs', expiration: Duration.days(90) }],
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Creditlake dashboards',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: dashboardHeaders(this),
        functionAssociations: [{ eventType: cloudfront.FunctionEventType.VIEWER_REQUEST, function: pageRoutes(this) }],
      },
      enableLogging: true,
      logBucket: cdnLogs,
      logFilePrefix: 'cloudfront/',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
    });
    acknowledge(
      this.distribution,
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate cannot pin TLS 1.2; attach a custom domain and certificate to raise it.',
      },
      { id: 'AwsSolutions-CFR1', reason: 'Credit dashboards are used from wherever the finance team works; no geo block.' },
      {
        id: 'AwsSolutions-CFR2',
        reason: 'A static, read-only internal dashboard without forms; add a WAF web ACL when exposing it widely.',
      },
    );
  }
}
