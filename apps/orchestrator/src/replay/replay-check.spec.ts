import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@switchboard/contracts';
import { recordedStep, roundDivergence } from './replay-check.js';
import type { RunRecord } from './run-record.js';

const record = {
  rounds: [
    {
      iteration: 1,
      planner: 'builtin',
      decision: {
        kind: 'actions',
        actions: [
          {
            id: 's1',
            kind: 'tool',
            target: 'calculator',
            input: { expression: '1+1' },
            description: 'c',
          },
        ],
      },
    },
  ],
  steps: [
    {
      index: 0,
      actionId: 's1',
      kind: 'tool',
      target: 'calculator',
      status: 'completed',
      input: { expression: '1+1' },
      output: 2,
      error: null,
      events: [],
    },
  ],
} as unknown as RunRecord;

describe('replay checks', () => {
  it('accepts the recorded decision (ids and descriptions aside) and refuses another, saying where', () => {
    const same = {
      kind: 'actions' as const,
      actions: [
        {
          id: 'x9',
          kind: 'tool' as const,
          target: 'calculator',
          input: { expression: '1+1' },
          description: 'other words',
        },
      ],
    };
    expect(roundDivergence(record, 1, same)).toBeUndefined();
    const blocked = { kind: 'fail' as const, error: new DomainError('GUARDRAIL', 'blocked') };
    const diverged = roundDivergence(record, 1, blocked);
    expect(diverged).toMatchObject({
      code: 'CONFLICT',
      message:
        'the replay diverged from its record at round 1: expected actions [calculator], got fail GUARDRAIL',
      details: { divergence: { at: 'round', round: 1 } },
    });
    expect(roundDivergence(record, 2, same)?.message).toContain('expected no round');
  });

  it('takes the recorded step only for the recorded call', () => {
    expect(
      recordedStep(record, 0, { kind: 'tool', target: 'calculator' }, { expression: '1+1' }),
    ).toMatchObject({ output: 2 });
    const other = recordedStep(
      record,
      0,
      { kind: 'tool', target: 'calculator' },
      { expression: '2+2' },
    );
    expect(other).toBeInstanceOf(DomainError);
    expect((other as DomainError).message).toBe(
      'the replay diverged from its record at step 1: expected calculator with the recorded input, got calculator with another input',
    );
    expect(
      (recordedStep(record, 1, { kind: 'tool', target: 'notes.add' }, {}) as DomainError).message,
    ).toContain('expected no more steps');
  });
});
