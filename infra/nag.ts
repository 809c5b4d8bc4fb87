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
export function acknowledgeScopedResourceWildcards(role: iam.Role, reason: string): void {
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
      if (rendered === '*') throw new Error(`${role.node.path}: Resource "*" is not allowed`);
      if (rendered.endsWith('/*')) acknowledge(role, { id: `AwsSolutions-IAM5[Resource::${rendered}]`, reason });
    }
  }
}
