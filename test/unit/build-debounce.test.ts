/**
 * Debounced builds after ingest: one named one-time EventBridge schedule, moved a quiet window on by
 * each committed batch and never past the max wait, so a burst of thousands of drops makes one build.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { requestDebouncedBuild, type BuildScheduleTarget } from '../../src/aws/build-request.js';
import { atExpression, debounce, parseAtExpression } from '../../src/aws/debounce.js';

const MIN = 60_000;
const w = { quietMs: 10 * MIN, maxWaitMs: 60 * MIN };
const t0 = new Date('2026-12-02T10:00:00.250Z');
const after = (ms: number) => new Date(t0.getTime() + ms);

describe('debounce (pure)', () => {
  it('creates a build a quiet window after the first batch, moves it on with each batch, never past the max wait', () => {
    const first = debounce(t0, undefined, w);
    expect(first).toEqual({ action: 'create', pending: { at: new Date('2026-12-02T10:10:01Z'), firstRequest: t0 } });
    const second = debounce(after(3 * MIN), first.pending, w);
    expect(second.action).toBe('update');
    expect(second.pending.at.toISOString()).toBe('2026-12-02T10:13:01.000Z');
    expect(second.pending.firstRequest).toEqual(t0);
    // Batches keep coming every minute: the build is held at most an hour after the first one.
    let p = first.pending;
    for (let m = 1; m <= 120; m++) {
      const now = after(m * MIN);
      if (p.at.getTime() <= now.getTime()) break;
      p = debounce(now, p, w).pending;
    }
    expect(p.at.getTime()).toBeLessThanOrEqual(t0.getTime() + 60 * MIN + 1000);
    expect(debounce(after(59.5 * MIN), { at: new Date('2026-12-02T11:00:01Z'), firstRequest: t0 }, w).action).toBe('keep');
  });

  it('a batch after the pending build has fired schedules a fresh one', () => {
    const fired = { at: after(10 * MIN), firstRequest: t0 };
    const d = debounce(after(11 * MIN), fired, w);
    expect(d.action).toBe('update');
    expect(d.pending.firstRequest).toEqual(after(11 * MIN));
  });

  it('writes and reads the one-time expression in UTC', () => {
    expect(atExpression(new Date('2026-12-02T10:10:01Z'))).toBe('at(2026-12-02T10:10:01)');
    expect(parseAtExpression('at(2026-12-02T10:10:01)')).toEqual(new Date('2026-12-02T10:10:01Z'));
    expect(parseAtExpression('rate(5 minutes)')).toBeUndefined();
  });
});

describe('the schedule on EventBridge Scheduler (mocked API, real request shapes)', () => {
  const scheduler = mockClient(SchedulerClient);
  afterAll(() => scheduler.restore());
  let stored: CreateScheduleCommandInput | undefined;
  beforeEach(() => {
    scheduler.reset();
    stored = undefined;
    scheduler.on(GetScheduleCommand).callsFake(async () => {
      if (!stored) throw new ResourceNotFoundException({ message: 'not found', Message: 'not found', $metadata: {} });
      return { ...stored };
    });
    scheduler.on(CreateScheduleCommand).callsFake(async (input: CreateScheduleCommandInput) => {
      if (stored) throw new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} });
      stored = input;
      return { ScheduleArn: 'arn' };
    });
    scheduler.on(UpdateScheduleCommand).callsFake(async (input: CreateScheduleCommandInput) => {
      if (!stored) throw new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} });
      stored = input;
      return { ScheduleArn: 'arn' };
    });
  });
  const target = (): BuildScheduleTarget => ({
    client: new SchedulerClient({ region: 'eu-west-1' }),
    group: 'creditlake',
    name: 'build-after-ingest',
    targetArn: 'arn:aws:sqs:eu-west-1:123456789012:build.fifo',
    roleArn: 'arn:aws:iam::123456789012:role/scheduler',
    messageGroupId: 'build',
    window: w,
  });

  it('a burst of 5,000 committed batches over 20 minutes leaves one pending build, at most two builds in all', async () => {
    const fired: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const now = after(Math.floor((i * 20 * MIN) / 5000));
      // The scheduler fires what is due (and deletes it) before this batch looks.
      if (stored && parseAtExpression(stored.ScheduleExpression)!.getTime() <= now.getTime()) {
        fired.push(stored.ScheduleExpression!);
        stored = undefined;
      }
      await requestDebouncedBuild(target(), now);
    }
    expect(fired).toEqual([]);
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(1);
    expect(stored!.ScheduleExpression).toBe('at(2026-12-02T10:30:01)');
    expect(stored!.Target).toMatchObject({ Arn: 'arn:aws:sqs:eu-west-1:123456789012:build.fifo', SqsParameters: { MessageGroupId: 'build' } });
    expect(stored!.ActionAfterCompletion).toBe('DELETE');
    expect(JSON.parse(stored!.Target!.Input!)).toMatchObject({ reason: 'ingest', first_request: t0.toISOString() });
  });

  it('two ingests racing to create: the loser updates instead of failing', async () => {
    scheduler.on(GetScheduleCommand).rejectsOnce(new ResourceNotFoundException({ message: 'not found', Message: 'not found', $metadata: {} })).callsFake(async () => ({ ...stored }));
    stored = { Name: 'build-after-ingest', ScheduleExpression: 'at(2026-12-02T10:05:00)', Target: { Arn: 'x', RoleArn: 'y', Input: JSON.stringify({ first_request: t0.toISOString() }) }, FlexibleTimeWindow: { Mode: 'OFF' } };
    const r = await requestDebouncedBuild(target(), after(MIN));
    expect(r).toEqual({ action: 'update', at: '2026-12-02T10:11:01.000Z' });
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(1);
  });
});
