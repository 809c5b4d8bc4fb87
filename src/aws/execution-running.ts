import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** Whether a Step Functions execution still runs; undefined when it cannot be told (no rights, throttled). */
export function executionRunning(client: SFNClient) {
  return async (executionArn: string): Promise<boolean | undefined> => {
    try {
      const r = await client.send(new DescribeExecutionCommand({ executionArn }));
      return r.status === 'RUNNING';
    } catch (e) {
      if ((e as { name?: string }).name === 'ExecutionDoesNotExist') return false;
      return undefined;
    }
  };
}
