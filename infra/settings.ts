import { z } from 'zod';

/**
 * Deployment settings, read from CDK context (`cdk.json` or `-c key=value`), so one stack definition
 * serves every environment. Context values given on the command line arrive as strings, hence the
 * coercions.
 */
const SettingsSchema = z
  .object({
    /** Prefix of every named resource (Glue database, workgroup, function names stay unique per prefix). */
    prefix: z.string().regex(/^[a-z][a-z0-9-]{1,20}$/, 'lowercase letters, digits and dashes, 2-21 chars').default('creditlake'),
    /** EventBridge schedule of the model build (UTC). */
    buildSchedule: z.string().min(1).default('cron(30 5 * * ? *)'),
    /**
     * Builds after ingest wait this many quiet minutes after the last committed batch (a burst of drops
     * makes one build), but at most buildMaxWaitMinutes after the first.
     */
    buildQuietMinutes: z.coerce.number().int().min(1).max(1440).default(10),
    buildMaxWaitMinutes: z.coerce.number().int().min(1).max(1440).default(60),
    /**
     * EventBridge schedule of raw-file compaction (UTC): before the nightly build, so it reads the
     * compacted files. Runs under the lake's build lock; skipped when a build holds the lake.
     */
    compactSchedule: z.string().min(1).default('cron(0 5 * * ? *)'),
    /** A table is compacted once it has this many live raw files (each compaction rewrites them all into one). */
    compactMinFiles: z.coerce.number().int().min(2).max(100_000).default(10),
    /** Athena refuses any query that would scan more than this (cost guard). */
    bytesScannedCutoffPerQuery: z.coerce.number().int().min(10_000_000).default(10_000_000_000),
    /** Days dropped feed files are kept in the landing bucket. */
    landingRetentionDays: z.coerce.number().int().positive().default(365),
    /** Days Athena query results are kept. */
    resultsRetentionDays: z.coerce.number().int().positive().default(7),
    /** Days overwritten lake objects (previous mart versions, replaced batches) stay recoverable. */
    lakeNoncurrentRetentionDays: z.coerce.number().int().positive().default(30),
    /** Days S3 access logs are kept. */
    accessLogRetentionDays: z.coerce.number().int().positive().default(90),
    /** CloudWatch log retention of the functions, in days (must be a value CloudWatch accepts). */
    logRetentionDays: z.coerce.number().int().positive().default(30),
    /** Ignored (kept so existing cdk.json files still synthesise): raw partitions are registered at commit, not projected. */
    projectionStartDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).default('2020-01-01'),
    /**
     * Lambda Node.js major version; the DuckDB binding is N-API, so any of them loads it. 22 by default:
     * AWS deprecated the Node 20 runtime on 2026-04-30 and blocks new Node 20 functions from 2027-02-01.
     */
    nodeRuntime: z.coerce.number().pipe(z.union([z.literal(20), z.literal(22), z.literal(24)], { error: 'must be 20, 22 or 24' })).default(22),
    ingestMemoryMb: z.coerce.number().int().min(512).max(10240).default(3008),
    /**
     * The project config the functions use (aging buckets, DSO method, KPI variants, …), relative to the
     * project root; default creditlake.config.json there, defaults when absent. Validated at synth.
     */
    configFile: z.string().min(1).optional(),
    /** Reject share above which an ingest is logged as failed (its good rows commit either way), as the CLI's --max-reject-rate. */
    ingestMaxRejectRate: z.coerce.number().min(0).max(1).default(0),
    ingestTimeoutSeconds: z.coerce.number().int().min(30).max(900).default(900),
    /** Ephemeral /tmp size: the feed file, DuckDB spill space and the Parquet output all live there. */
    ingestEphemeralMb: z.coerce.number().int().min(512).max(10240).default(4096),
    /** Ignored (kept so existing cdk.json files still synthesise): the build is a state machine now, with no 900 s ceiling. */
    buildTimeoutSeconds: z.coerce.number().int().min(60).max(900).default(900),
    /** Units (views, mart versions, data tests) of one wave of the build that run at once on Athena. */
    buildParallelism: z.coerce.number().int().min(1).max(20).default(4),
    /** Longest a build execution may run, waiting for the lake's lock included, before Step Functions stops it. */
    buildMaxHours: z.coerce.number().int().min(1).max(48).default(6),
    /** Whether CloudFront serves the dashboard bucket (off: the bucket alone, e.g. behind an existing CDN). */
    dashboardCdn: z.preprocess((v) => (typeof v === 'string' ? v === 'true' : v), z.boolean()).default(true),
    /**
     * Sign-in MFA: `required` (TOTP, enrolled at first sign-in) or `optional` (each user may turn it on).
     * Users are created by an administrator only; nobody signs up.
     */
    mfa: z.enum(['required', 'optional']).default('required'),
    /**
     * Cognito feature plan: `plus` adds threat protection (compromised-credential and risky sign-in
     * blocking) at a per-active-user price; `essentials` is cheaper and has none.
     */
    cognitoFeaturePlan: z.enum(['plus', 'essentials']).default('plus'),
    /** Prefix of the hosted sign-in domain (<prefix>.auth.<region>.amazoncognito.com); default <prefix>-<account>. */
    authDomainPrefix: z.string().regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and inner dashes, at most 63').optional(),
    /**
     * The dashboards' WAF web ACL. On by default; CloudFront only takes web ACLs from us-east-1, so in
     * another region the app adds a small `<stack>-edge` stack there (see infra/app.ts).
     */
    waf: z.preprocess((v) => (typeof v === 'string' ? v === 'true' : v), z.boolean()).default(true),
    /** Use this existing CloudFront-scope web ACL (arn:…:wafv2:us-east-1:…:global/webacl/…) instead of creating one. */
    webAclArn: z.string().regex(/^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/.+/, 'a CloudFront-scope (global, us-east-1) WAFv2 web ACL ARN').optional(),
    /** Requests one client IP may make in any 5 minutes before the WAF blocks it. */
    wafRateLimit: z.coerce.number().int().min(100).max(2_000_000_000).default(1000),
    /** The dashboards' read-only API Lambda (served at /api/* of the dashboards' distribution). */
    dashboardApiMemoryMb: z.coerce.number().int().min(256).max(10240).default(512),
    /**
     * Concurrent executions reserved for (and capping) the dashboards Lambda, so page traffic cannot take
     * the account's concurrency from ingest and build; 0 leaves it unreserved (accounts at the default
     * limit of 10 cannot reserve any).
     */
    dashboardApiReservedConcurrency: z.coerce.number().int().min(0).max(1000).default(10),
    /** Also CloudFront's origin read timeout (at most 60 s without a quota raise). */
    dashboardApiTimeoutSeconds: z.coerce.number().int().min(10).max(60).default(30),
    /**
     * `esbuild` bundles the real handlers (deploy, `cdk synth`); `placeholder` ships a stub so unit tests
     * synthesise in a second. Never deploy a placeholder stack: the stub throws on every invocation.
     */
    lambdaCode: z.enum(['esbuild', 'placeholder']).default('esbuild'),
  })
  .strict();

export type Settings = z.infer<typeof SettingsSchema>;

export const SETTINGS_CONTEXT_KEY = 'creditlake';

/** Reads settings from the `creditlake` context object plus `creditlake:<key>` overrides. */
export function settingsFromContext(get: (key: string) => unknown): Settings {
  const base = (get(SETTINGS_CONTEXT_KEY) ?? {}) as Record<string, unknown>;
  const overrides: Record<string, unknown> = {};
  for (const key of Object.keys(SettingsSchema.shape)) {
    const v = get(`${SETTINGS_CONTEXT_KEY}:${key}`);
    if (v !== undefined) overrides[key] = v;
  }
  const parsed = SettingsSchema.safeParse({ ...base, ...overrides });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid creditlake context:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export function parseSettings(raw: Partial<Record<keyof Settings, unknown>> = {}): Settings {
  return settingsFromContext((k) => (k === SETTINGS_CONTEXT_KEY ? raw : undefined));
}
