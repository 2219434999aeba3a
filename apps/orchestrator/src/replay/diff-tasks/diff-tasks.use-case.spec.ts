import { describe, expect, it } from '@jest/globals';
import { traceOf, type TraceRows } from '../run-trace.js';
import { sideBySide } from './diff-tasks.use-case.js';

const rows = (recalled: string[] | undefined, answer: string): TraceRows => ({
  taskId: `t-${answer}`,
  status: 'completed',
  blocked: false,
  result: answer,
  ...(recalled ? { recalled } : {}),
  rounds: [{ iteration: 1, decision: { kind: 'final', answer } }],
  steps: [],
});

describe(sideBySide.name, () => {
  it('shows what memory recalled right after the input check, and where it differs', () => {
    const entries = sideBySide(
      traceOf(rows(['my favourite number is 7'], '7 * 6 = 42.')),
      traceOf(rows(['my favourite number is 9'], '9 * 6 = 54.')),
    );
    expect(entries.map((e) => [e.at, e.same])).toEqual([
      ['input', true],
      ['recall', false],
      ['round', false],
      ['outcome', false],
    ]);
    expect(entries[1]).toMatchObject({
      a: { recalled: ['my favourite number is 7'] },
      b: { recalled: ['my favourite number is 9'] },
    });
  });

  it('has no recall position for runs that recalled nothing', () => {
    const entries = sideBySide(traceOf(rows(undefined, 'a')), traceOf(rows([], 'a')));
    expect(entries.map((e) => e.at)).toEqual(['input', 'round', 'outcome']);
  });
});
