import * as athena from 'aws-cdk-lib/aws-athena';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Key prefix of the workgroup's enforced result location (functions get result access below it only). */
export const RESULTS_PREFIX = 'results/';

export interface QueryWorkgroupProps {
  name: string;
  resultsBucket: s3.IBucket;
  bytesScannedCutoffPerQuery: number;
}

/** Athena engine v3 workgroup whose settings override the client's: results location, encryption, cost cap. */
export class QueryWorkgroup extends Construct {
  readonly workgroup: athena.CfnWorkGroup;
  readonly name: string;

  constructor(scope: Construct, id: string, props: QueryWorkgroupProps) {
    super(scope, id);
    this.name = props.name;
    this.workgroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: props.name,
      description: 'Creditlake models and ad-hoc queries',
      state: 'ENABLED',
      // Lets `cdk destroy` remove the workgroup even when it still holds saved queries.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: `s3://${props.resultsBucket.bucketName}/${RESULTS_PREFIX}`,
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
          expectedBucketOwner: undefined,
        },
      },
    });
  }
}
