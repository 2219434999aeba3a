import { describe, expect, it } from '@jest/globals';
import { type BatchState, compare, type ItemRow, planAdvance, totalsOf } from './batch-plan.js';

const item = (position: number, over: Partial<ItemRow> = {}): ItemRow => ({
  position,
  taskId: `t${position}`,
  runTaskId: null,
  status: 'pending',
  outcome: null,
  summary: null,
  ...over,
});
const end = (result: string | null, tokens = 10, status = 'completed') => ({
  status,
  result,
  tokens,
  costUsd: tokens / 1000,
});

const state = (over: Partial<BatchState>): BatchState => ({
  mode: 'fork',
  concurrency: 2,
  items: [],
  runs: new Map(),
  originals: new Map(),
  ...over,
});

describe(planAdvance.name, () => {
  it('starts pending items up to the concurrency', () => {
    const plan = planAdvance(state({ items: [item(0), item(1), item(2)] }));
    expect(plan).toEqual({ finished: [], start: [0, 1], skip: [], complete: false });
  });

  it('finishes the runs that ended and fills their places, completing when nothing is left', () => {
    const items = [
      item(0, { status: 'running', runTaskId: 'r0' }),
      item(1, { status: 'running', runTaskId: 'r1' }),
      item(2),
    ];
    const plan = planAdvance(
      state({
        items,
        runs: new Map([['r0', end('391')]]),
        originals: new Map([['t0', end('391')]]),
      }),
    );
    expect(plan.finished).toEqual([
      expect.objectContaining({ position: 0, outcome: 'same-answer' }),
    ]);
    expect(plan.start).toEqual([2]);
    expect(plan.complete).toBe(false);
    const last = planAdvance(
      state({
        items: [
          item(0, { status: 'done', outcome: 'same-answer' }),
          item(1, { status: 'running', runTaskId: 'r1' }),
        ],
        runs: new Map([['r1', end('x')]]),
      }),
    );
    expect(last.complete).toBe(true);
  });

  it('stops starting once the runs spent the budget, and skips what is left, saying why', () => {
    const spentItem = item(0, {
      status: 'done',
      outcome: 'different-answer',
      summary: { tokens: { original: 5, rerun: 120 } },
    });
    const plan = planAdvance(
      state({ items: [spentItem, item(1), item(2)], budget: { tokens: 100 } }),
    );
    expect(plan.start).toEqual([]);
    expect(plan.skip.map((s) => s.position)).toEqual([1, 2]);
    expect(plan.skip[0]?.reason).toContain('120 of 100 tokens');
    expect(plan.complete).toBe(true);
  });
});

describe(compare.name, () => {
  it('tells identical replays, same and different answers, and failures apart', () => {
    const verdict = { identical: true, of: 't', rounds: 1, steps: 1 };
    expect(compare(end('a'), { ...end('a'), verdict }).outcome).toBe('identical');
    expect(compare(end('The  answer'), end('The answer')).outcome).toBe('same-answer');
    expect(compare(end('391'), end('400')).outcome).toBe('different-answer');
    const failed = compare(end('391'), { ...end(null, 3, 'failed'), errorMessage: 'boom' });
    expect(failed).toMatchObject({ outcome: 'failed', summary: { reason: 'boom' } });
  });
});

describe(totalsOf.name, () => {
  it('sums outcomes, tokens and cost against the originals', () => {
    const totals = totalsOf([
      item(0, {
        status: 'done',
        outcome: 'same-answer',
        summary: { tokens: { original: 10, rerun: 12 }, costUsd: { original: 0.01, rerun: 0.02 } },
      }),
      item(1, {
        status: 'done',
        outcome: 'different-answer',
        summary: { tokens: { original: 10, rerun: 8 } },
      }),
      item(2, { status: 'skipped' }),
    ]);
    expect(totals).toMatchObject({
      tasks: 3,
      done: 2,
      sameAnswer: 1,
      differentAnswer: 1,
      skipped: 1,
      tokens: { original: 20, rerun: 20 },
    });
  });
});
