import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
// cdk-nag's own renderer, so acknowledged ids match its findings exactly.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

export { AwsSolutionsChecks } from 'cdk-nag';

/**
 * Records that a cdk-nag finding on `scope` (or anything below it) is accepted, with the reason.
 * cdk-nag 3 matches findings by exact id, e.g. `AwsSolutions-IAM5[Resource::<Lake.Arn>/*]`.
 */
export function acknowledge(scope: IConstruct, ...rules: { id: string; reason: string }[]): void {
  Validations.of(scope).acknowledge(...rules);
}

/**
 * Acknowledges AwsSolutions-IAM5 for resource wildcards that are scoped below one bucket, database or log
 * group (`bucket/*`, `table/db/*`), after checking that no action in the policy is a wildcard: object
 * keys are not known at deploy time, but the verbs always are.
 */
export function acknowledgeScopedResourceWildcards(role: iam.Role, reason: string, opts: { unscoped?: { actions: ReadonlySet<string>; reason: string } } = {}): void {
  const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  const cfn = policy?.node.defaultChild as iam.CfnPolicy | undefined;
  if (!cfn) return;
  const doc = Stack.of(role).resolve(cfn.policyDocument) as { Statement: { Action: string | string[]; Resource: unknown }[] };
  for (const st of doc.Statement) {
    const actions = ([] as string[]).concat(st.Action);
    const wild = actions.find((a) => a.includes('*'));
    if (wild) throw new Error(`${role.node.path}: wildcard action ${wild} is not allowed`);
    for (const r of ([] as unknown[]).concat(st.Resource)) {
      const rendered = flattenCfnReference(r);
      if (rendered === '*') {
        const other = actions.filter((a) => !opts.unscoped?.actions.has(a));
        if (other.length) throw new Error(`${role.node.path}: Resource "*" is not allowed (for ${other.join(', ')})`);
        acknowledge(role, { id: 'AwsSolutions-IAM5[Resource::*]', reason: opts.unscoped!.reason });
      } else if (rendered.endsWith('/*') || rendered.endsWith(':*')) {
        acknowledge(role, { id: `AwsSolutions-IAM5[Resource::${rendered}]`, reason });
      }
    }
  }
}

/**
 * Actions AWS offers on Resource "*" only: the vended-log delivery a state machine's logging sets up,
 * and X-Ray's trace upload (Service Authorization Reference: no resource types for these actions).
 */
export const RESOURCELESS_ACTIONS: ReadonlySet<string> = new Set([
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
]);

/** As acknowledgeScopedResourceWildcards for a state machine's role, whose logging and tracing need Resource "*". */
export function acknowledgeStateMachineRole(machine: { role: iam.IRole }, reason: string): void {
  acknowledgeScopedResourceWildcards(machine.role as iam.Role, reason, {
    unscoped: {
      actions: RESOURCELESS_ACTIONS,
      reason:
        'Only CloudWatch Logs vended-log delivery (the state machine\'s execution log) and X-Ray trace upload, whose actions ' +
        'support no resource-level permission; every other action of this role names its resources (checked at synth).',
    },
  });
}
