import {
  ConflictException,
  CreateScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  UpdateScheduleCommand,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { atExpression, debounce, parseAtExpression, type DebounceWindow, type PendingBuild } from './debounce.js';

/** Where the debounced build request goes: one named one-time schedule that targets the build. */
export interface BuildScheduleTarget {
  client: SchedulerClient;
  group: string;
  name: string;
  /** The build's entry point (the build queue today) and the role the scheduler sends with. */
  targetArn: string;
  roleArn: string;
  /** FIFO queue targets need a message group. */
  messageGroupId?: string;
  window: DebounceWindow;
}

interface ScheduleInput {
  reason: 'ingest';
  first_request: string;
  at: string;
}

function target(t: BuildScheduleTarget, p: PendingBuild) {
  const input: ScheduleInput = { reason: 'ingest', first_request: p.firstRequest.toISOString(), at: p.at.toISOString() };
  return {
    Name: t.name,
    GroupName: t.group,
    ScheduleExpression: atExpression(p.at),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    ActionAfterCompletion: 'DELETE' as const,
    Description: 'Creditlake: build after ingest (debounced; moved on by each committed batch)',
    Target: {
      Arn: t.targetArn,
      RoleArn: t.roleArn,
      Input: JSON.stringify(input),
      ...(t.messageGroupId ? { SqsParameters: { MessageGroupId: t.messageGroupId } } : {}),
      RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 3600 },
    },
  };
}

async function current(t: BuildScheduleTarget): Promise<PendingBuild | undefined> {
  try {
    const s = await t.client.send(new GetScheduleCommand({ Name: t.name, GroupName: t.group }));
    const at = parseAtExpression(s.ScheduleExpression);
    const first = (JSON.parse(s.Target?.Input ?? '{}') as Partial<ScheduleInput>).first_request;
    return at ? { at, firstRequest: first ? new Date(first) : at } : undefined;
  } catch (e) {
    if (e instanceof ResourceNotFoundException || (e as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw e;
  }
}

/**
 * Asks for a build after a committed batch: creates the pending build's schedule or moves it a quiet
 * window on (bounded by the max wait). Two ingests racing to create it: the loser updates instead.
 */
export async function requestDebouncedBuild(t: BuildScheduleTarget, now = new Date()): Promise<{ action: string; at: string }> {
  for (let attempt = 0; ; attempt++) {
    const d = debounce(now, await current(t), t.window);
    try {
      if (d.action === 'create') await t.client.send(new CreateScheduleCommand(target(t, d.pending)));
      else if (d.action === 'update') await t.client.send(new UpdateScheduleCommand(target(t, d.pending)));
      return { action: d.action, at: d.pending.at.toISOString() };
    } catch (e) {
      // Created by a concurrent ingest, or deleted after firing since we looked: look again.
      const name = (e as { name?: string }).name;
      const raced = e instanceof ConflictException || e instanceof ResourceNotFoundException || name === 'ConflictException' || name === 'ResourceNotFoundException';
      if (!raced || attempt >= 2) throw e;
    }
  }
}
