import { describe, expect, it } from '@jest/globals';
import { firstDivergence, traceOf, type TraceRows } from './run-trace.js';

const demo = (over: Partial<TraceRows> = {}): TraceRows => ({
  taskId: 'a',
  status: 'completed',
  blocked: false,
  result: 'saved 391',
  usage: { totalTokens: 0 },
  rounds: [
    {
      iteration: 1,
      decision: {
        kind: 'actions',
        actions: [
          {
            id: 's1',
            kind: 'tool',
            target: 'calculator',
            input: { expression: '17*23' },
            description: 'x',
          },
          {
            id: 's2',
            kind: 'tool',
            target: 'notes.add',
            input: { content: '$steps.s1.output' },
            description: 'y',
          },
        ],
      },
    },
    { iteration: 2, decision: { kind: 'final', answer: 'saved 391' } },
  ],
  steps: [
    {
      index: 1,
      actionId: 's2',
      kind: 'tool',
      target: 'notes.add',
      status: 'completed',
      input: { content: '391' },
      output: { id: 'n1' },
    },
    {
      index: 0,
      actionId: 's1',
      kind: 'tool',
      target: 'calculator',
      status: 'completed',
      input: { expression: '17*23' },
      output: { result: 391 },
    },
  ],
  ...over,
});

describe('run traces', () => {
  it('orders each round before the steps it planned, without ids or times', () => {
    const t = traceOf(demo());
    expect(
      t.entries.map((e) => (e.at === 'round' ? `round ${e.round}` : `step ${e.step}`)),
    ).toEqual(['round 1', 'step 1', 'step 2', 'round 2']);
    expect(JSON.stringify(t.entries)).not.toContain('"s1"');
  });

  it('finds two runs with the same decisions, steps and end identical, whatever their ids and times', () => {
    const b = demo({ taskId: 'b', durationMs: 5, usage: { totalTokens: 0 } });
    expect(firstDivergence(traceOf(demo()), traceOf(b))).toBeUndefined();
  });

  it('names the first divergence: a round decided otherwise', () => {
    const blocked = demo({
      rounds: [
        { iteration: 1, decision: { kind: 'fail', error: { code: 'GUARDRAIL', message: 'x' } } },
      ],
      steps: [],
      status: 'failed',
      result: null,
      errorCode: 'GUARDRAIL',
    });
    expect(firstDivergence(traceOf(demo()), traceOf(blocked))).toMatchObject({
      at: 'round',
      round: 1,
      expected: { kind: 'actions' },
      got: { kind: 'fail', code: 'GUARDRAIL' },
      summary: 'round 1: expected actions [calculator, notes.add], got fail GUARDRAIL',
    });
  });

  it('names the first divergence: a step with another result, the input check, the end', () => {
    const rows = demo();
    const other = demo({
      steps: rows.steps.map((s) => (s.index === 0 ? { ...s, output: { result: 400 } } : s)),
    });
    expect(firstDivergence(traceOf(rows), traceOf(other))).toMatchObject({
      at: 'step',
      step: 1,
      round: 1,
      summary:
        'step 1: the same call of calculator, another result: expected {"status":"completed","output":{"result":391}}, got {"status":"completed","output":{"result":400}}',
    });
    expect(firstDivergence(traceOf(rows), traceOf(demo({ blocked: true })))).toMatchObject({
      at: 'input',
    });
    expect(firstDivergence(traceOf(rows), traceOf(demo({ result: 'other' })))).toMatchObject({
      at: 'outcome',
      summary: expect.stringContaining('"other"'),
    });
  });

  it('names what memory recalled as the first divergence, before the rounds it changed', () => {
    const seven = demo({ recalled: ['my favourite number is 7'] });
    const nine = demo({
      recalled: ['my favourite number is 9'],
      result: '9 * 6 = 54.',
    });
    expect(firstDivergence(traceOf(seven), traceOf(seven))).toBeUndefined();
    expect(firstDivergence(traceOf(seven), traceOf(nine))).toEqual({
      at: 'recall',
      expected: { recalled: ['my favourite number is 7'] },
      got: { recalled: ['my favourite number is 9'] },
      summary:
        'recall: planned with ["my favourite number is 9"], the record with ["my favourite number is 7"]',
    });
    expect(firstDivergence(traceOf(seven), traceOf(demo()))).toMatchObject({
      at: 'recall',
      summary:
        'recall: planned with nothing recalled, the record with ["my favourite number is 7"]',
    });
  });

  it('a run that stopped early diverges where it stopped', () => {
    const short = demo({
      rounds: demo().rounds.slice(0, 1),
      status: 'failed',
      result: null,
      errorCode: 'CONFLICT',
    });
    expect(firstDivergence(traceOf(demo()), traceOf(short))).toMatchObject({
      at: 'round',
      round: 2,
      got: null,
      summary: 'round 2: expected the answer "saved 391", got nothing more',
    });
  });
});
