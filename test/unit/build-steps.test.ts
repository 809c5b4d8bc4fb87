import { describe, expect, it } from 'vitest';
import { failureMessage, isTransient, retryDelaySeconds } from '../../src/aws/build-steps.js';

describe('build state machine steps: failures', () => {
  it('reads the reason of a failed statement from what Step Functions hands a Catch', () => {
    const athena = { Error: 'States.TaskFailed', Cause: JSON.stringify({ QueryExecution: { Status: { State: 'FAILED', AthenaError: { ErrorMessage: 'COLUMN_NOT_FOUND: line 3:8: Column x cannot be resolved' } } } }) };
    expect(failureMessage(athena)).toBe('States.TaskFailed: COLUMN_NOT_FOUND: line 3:8: Column x cannot be resolved');
    expect(failureMessage({ Error: 'StepFailed', Cause: JSON.stringify({ errorMessage: 'model x failed', errorType: 'StepFailed' }) })).toBe('StepFailed: model x failed');
    expect(failureMessage({ Error: 'States.Timeout', Cause: 'plain text' })).toBe('States.Timeout: plain text');
    expect(failureMessage(undefined)).toBe('unknown failure');
  });

  it('retries throttling and service faults with a growing wait, never a SQL or data error', () => {
    for (const m of ['ThrottlingException: Rate exceeded', 'GENERIC_INTERNAL_ERROR: worker lost', 'Athena.InternalServerException', 'SlowDown: Please reduce your request rate', 'HIVE_CANNOT_OPEN_SPLIT: Error opening Hive split']) {
      expect(isTransient(m), m).toBe(true);
    }
    for (const m of ['COLUMN_NOT_FOUND: line 1:8', 'SYNTAX_ERROR: line 1:1', 'HIVE_PATH_ALREADY_EXISTS: Target directory for table', 'DIVISION_BY_ZERO']) {
      expect(isTransient(m), m).toBe(false);
    }
    expect([1, 2, 3, 4, 5, 6].map(retryDelaySeconds)).toEqual([15, 30, 60, 120, 240, 300]);
  });
});
