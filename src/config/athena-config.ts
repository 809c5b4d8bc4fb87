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
    /**
     * The stack's build state machine (its output BuildStateMachineArn): `build --target athena` then
     * starts an execution, or joins the one running, instead of building in this process.
     */
    state_machine_arn: z.string().regex(/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/, 'a Step Functions state machine ARN').optional(),
  })
  .strict()
  .default(DEFAULTS);

export type AthenaConfig = z.infer<typeof AthenaSchema>;
