import { describe, expect, it } from '@jest/globals';
import type { Tasks } from '@switchboard/contracts';
import { diffHeadline, diffRows, positionLabel, sideName, sideOf, summaryRows } from './diff';

const A = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
const B = '0c1d2e3f-4a5b-4e6f-8a9b-7f3a2c1e5b4d';
const calc = (result: number) => ({
  action: { kind: 'tool', target: 'calculator', input: { expression: '17 * 23' } },
  result: { status: 'completed', output: { expression: '17 * 23', result } },
});
const decision = {
  kind: 'actions',
  actions: [
    { kind: 'tool', target: 'calculator', input: { expression: '17 * 23' } },
    { kind: 'agent', target: 'writer', input: {} },
  ],
};

/** The demo task against its fork from step 2 with the calculator's result edited (the API's shape). */
const forkDiff: Tasks.TaskDiffView = {
  a: {
    taskId: A,
    status: 'completed',
    answer: '17 * 23 = 391',
    rounds: 2,
    steps: 2,
    tokens: 0,
    durationMs: 40,
  },
  b: {
    taskId: B,
    status: 'completed',
    run: { kind: 'fork', of: A },
    answer: '17 * 23 = 400',
    rounds: 2,
    steps: 2,
    tokens: 0,
    durationMs: 25,
  },
  identical: false,
  firstDivergence: {
    at: 'step',
    round: 1,
    step: 1,
    expected: {},
    got: {},
    summary: 'step 1: expected calculator completed, got calculator completed',
  },
  entries: [
    { at: 'input', a: { blocked: false }, b: { blocked: false }, same: true },
    { at: 'round', round: 1, a: decision, b: decision, same: true },
    { at: 'step', round: 1, step: 1, a: calc(391), b: calc(400), same: false },
    {
      at: 'step',
      round: 1,
      step: 2,
      a: {
        action: { kind: 'tool', target: 'notes.add', input: {} },
        result: { status: 'failed', code: 'TIMEOUT' },
      },
      b: null,
      same: false,
    },
    {
      at: 'outcome',
      a: { status: 'completed', answer: '17 * 23 = 391' },
      b: { status: 'failed', code: 'GUARDRAIL' },
      same: false,
    },
  ],
};

describe(diffRows.name, () => {
  it('keeps the positions as the API aligned them, and marks only the first that differs as first', () => {
    const rows = diffRows(forkDiff);
    expect(rows.map((r) => [r.label, r.same, r.first, r.what])).toEqual([
      ['Input check', true, false, undefined],
      ['Planning round 1', true, false, undefined],
      ['Step 1 (round 1)', false, true, 'the result differs'],
      ['Step 2 (round 1)', false, false, 'B did not get here'],
      ['Outcome', false, false, 'the status, the answer and the error code differ'],
    ]);
    expect(new Set(rows.map((r) => r.key)).size).toBe(rows.length);
    expect(rows[2]?.a).toEqual({
      reached: true,
      title: 'calculator: completed',
      parts: [
        { label: 'Arguments', value: { expression: '17 * 23' } },
        { label: 'Result', value: { expression: '17 * 23', result: 391 } },
      ],
    });
    expect(rows[2]?.b.parts[1]?.value).toEqual({ expression: '17 * 23', result: 400 });
    expect(rows[3]?.a.title).toBe('notes.add: failed TIMEOUT');
    expect(rows[3]?.b).toEqual({ reached: false, title: 'did not get here', parts: [] });
  });

  it('marks no row when the runs are identical', () => {
    const same = forkDiff.entries.map((e) => ({ ...e, b: e.a, same: true }));
    expect(diffRows({ entries: same }).some((r) => r.first)).toBe(false);
  });
});

describe(sideOf.name, () => {
  it('says what each position holds in words', () => {
    expect(sideOf('input', { blocked: true }).title).toBe('blocked by the input guardrail');
    expect(sideOf('input', { blocked: false }).title).toBe('passed the input guardrail');
    expect(sideOf('round', decision).title).toBe('act: call calculator, delegate to writer');
    expect(
      sideOf('round', { kind: 'actions', actions: [], rejected: [{ tool: 'x', reason: 'no' }] })
        .title,
    ).toBe('act: nothing (1 call refused)');
    expect(sideOf('round', { kind: 'final', answer: 'done' })).toEqual({
      reached: true,
      title: 'answer “done”',
      parts: [{ label: 'Answer', value: 'done' }],
    });
    expect(sideOf('round', { kind: 'fail', code: 'GUARDRAIL' }).title).toBe('give up: GUARDRAIL');
    expect(sideOf('outcome', { status: 'completed', answer: 'x'.repeat(100) }).title).toBe(
      `completed: “${'x'.repeat(77)}…”`,
    );
    expect(sideOf('outcome', { status: 'failed', code: 'BUDGET_EXCEEDED' }).title).toBe(
      'failed: BUDGET_EXCEEDED',
    );
    expect(
      sideOf('step', {
        action: { kind: 'agent', target: 'researcher', input: { message: 'm' } },
        result: { status: 'completed', output: { text: 'hi' } },
      }).title,
    ).toBe('delegate to researcher: completed');
  });
});

describe('the recall position', () => {
  it('says what memory gave each run, and that it differs', () => {
    const rows = diffRows({
      entries: [
        { at: 'input', a: { blocked: false }, b: { blocked: false }, same: true },
        { at: 'recall', a: { recalled: ['my number is 7'] }, b: { recalled: [] }, same: false },
      ],
    });
    expect(rows[1]).toMatchObject({
      label: 'Memory recalled',
      first: true,
      what: 'what memory recalled differs',
      a: { title: 'recalled 1 item', parts: [{ label: 'Recalled', value: ['my number is 7'] }] },
      b: { title: 'recalled nothing', parts: [] },
    });
  });
});

describe(positionLabel.name, () => {
  it('labels each kind of position', () => {
    expect(positionLabel({ at: 'round', round: 2 })).toBe('Planning round 2');
    expect(positionLabel({ at: 'step', step: 3 })).toBe('Step 3');
  });
});

describe(diffHeadline.name, () => {
  it('says identical, or where and how the runs first differ', () => {
    expect(diffHeadline({ identical: true })).toEqual({
      text: 'Identical: the same decisions, steps and outcome (times and ids are not compared).',
    });
    expect(
      diffHeadline({
        ...forkDiff,
        firstDivergence: { ...forkDiff.firstDivergence!, expected: calc(391), got: calc(400) },
      }),
    ).toEqual({
      text: 'First divergence at step 1: the result differs.',
      summary: 'step 1: expected calculator completed, got calculator completed',
    });
  });
});

describe(sideName.name, () => {
  it('names a fork by its origin and its parent as the original', () => {
    expect(sideName(forkDiff.b, forkDiff.a)).toBe('Fork of task 7f3a2c1e');
    expect(sideName(forkDiff.a, forkDiff.b)).toBe('Task 7f3a2c1e, the original');
    expect(sideName(forkDiff.a, forkDiff.a)).toBe('Task 7f3a2c1e');
  });
});

describe(summaryRows.name, () => {
  it('puts the answers, tokens, cost and time side by side, marking what differs (not the time)', () => {
    const rows = summaryRows(forkDiff.a, { ...forkDiff.b, costUsd: 0.0012 });
    expect(rows).toEqual([
      { label: 'Status', a: 'completed', b: 'completed', differs: false },
      { label: 'Answer', a: '17 * 23 = 391', b: '17 * 23 = 400', differs: true },
      { label: 'Planning rounds', a: '2', b: '2', differs: false },
      { label: 'Steps', a: '2', b: '2', differs: false },
      { label: 'Tokens', a: '0', b: '0', differs: false },
      { label: 'Cost', a: '—', b: '$0.0012', differs: true },
      { label: 'Time', a: '40 ms', b: '25 ms', differs: false },
    ]);
    expect(
      summaryRows({ ...forkDiff.a, status: 'failed', errorCode: 'GUARDRAIL' }, forkDiff.b)[0],
    ).toEqual({
      label: 'Status',
      a: 'failed (GUARDRAIL)',
      b: 'completed',
      differs: true,
    });
  });
});
