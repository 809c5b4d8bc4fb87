import { z } from 'zod';

const DEFAULTS = { workgroup: 'creditlake', database: 'creditlake', query_timeout_seconds: 600 };

/**
 * Where `--target athena` runs: the workgroup and Glue database the CDK stack created (its outputs
 * AthenaWorkgroup and GlueDatabase; both default to the stack prefix, `creditlake`). Credentials and
 * region come from the AWS default chain (AWS_PROFILE, AWS_REGION).
 */
export const AthenaSchema = z
  .object({
    workgroup: z.string().min(1).default(DEFAULTS.workgroup),
    database: z.string().regex(/^[a-z0-9_]+$/, 'a Glue database name: lowercase letters, digits, underscores').default(DEFAULTS.database),
    /** Per statement; the query is stopped when it runs longer. */
    query_timeout_seconds: z.number().int().positive().max(86_400).default(DEFAULTS.query_timeout_seconds),
  })
  .strict()
  .default(DEFAULTS);

export type AthenaConfig = z.infer<typeof AthenaSchema>;
