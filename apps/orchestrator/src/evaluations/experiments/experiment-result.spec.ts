import { describe, expect, it } from '@jest/globals';
import { Evaluations } from '@switchboard/contracts';
import type { RunTrace, TraceEntry } from '../../replay/run-trace.js';
import {
  aggregateOf,
  compareRuns,
  meanOf,
  pairwiseOf,
  passesBaseline,
  runFactsOf,
} from './experiment-result.js';
import { scoreRun } from './score-run.js';

const step = (n: number, target: string, input: object, result: unknown): TraceEntry =>
  ({
    at: 'step',
    step: n,
    round: 1,
    action: { kind: 'tool', target, input },
    result,
  }) as TraceEntry;
const ok = { status: 'completed', output: {} };
const refused = { status: 'failed', code: 'NOT_FOUND' };

const trace = (taskId: string, entries: TraceEntry[], answer?: string): RunTrace => ({
  taskId,
  blocked: false,
  recalled: [],
  entries,
  outcome: { status: 'completed', ...(answer ? { answer } : {}) },
  tokens: 120,
  costUsd: 0.001,
  durationMs: 40,
  status: 'completed',
});

const parent = trace('p', [
  step(1, 'calculator', { expression: '17 * 23' }, ok),
  step(2, 'notes.add', { text: '391' }, ok),
]);

describe("an experiment run's facts", () => {
  it('keeps the calls the run made, answered from the record, with no divergence', () => {
    const run = trace(
      'r',
      [
        step(1, 'calculator', { expression: '17 * 23' }, ok),
        step(2, 'notes.add', { text: '391' }, ok),
      ],
      '391',
    );
    const facts = runFactsOf(run, parent);
    expect(facts.calls.map((c) => c.tool)).toEqual(['calculator', 'notes.add']);
    expect(facts.divergences).toEqual([]);
    expect(facts).toMatchObject({ runTaskId: 'r', answer: '391', tokens: 120, costUsd: 0.001 });
  });

  it('reports a call the record does not hold as a divergence, with what the version asked for', () => {
    const run = trace('r', [
      step(1, 'calculator', { expression: '17 * 23' }, ok),
      step(2, 'email.send', { to: 'cfo@example.com' }, refused),
    ]);
    const facts = runFactsOf(run, parent);
    expect(facts.divergences).toEqual([
      {
        step: 2,
        tool: 'email.send',
        input: { to: 'cfo@example.com' },
        message: 'the record holds no call of email.send with this input: not executed',
      },
    ]);
    // a recorded call that failed NOT_FOUND in its record too is no divergence: it is the record's
    const failing = trace('p', [step(1, 'notes.add', { text: '391' }, refused)]);
    const same = trace('r', [step(1, 'notes.add', { text: '391' }, refused)]);
    expect(runFactsOf(same, failing).divergences).toEqual([]);
    // a recorded call asked for out of the recorded order was refused: a divergence too
    const reversed = trace('r', [
      step(1, 'notes.add', { text: '391' }, ok),
      step(2, 'calculator', { expression: '17 * 23' }, refused),
    ]);
    expect(runFactsOf(reversed, parent).divergences).toEqual([
      {
        step: 2,
        tool: 'calculator',
        input: { expression: '17 * 23' },
        message:
          'the record holds this call of calculator only earlier: out of its order, not executed',
      },
    ]);
  });
});

describe('scoring and comparing', () => {
  const run = (mean: number | undefined, diverged = false): Evaluations.ExperimentRunView => ({
    status: 'completed',
    scores: mean === undefined ? {} : { s: mean },
    ...(mean === undefined ? {} : { mean }),
    tokens: 10,
    costUsd: 0,
    durationMs: 5,
    divergences: diverged ? [{ step: 1, tool: 't', input: {}, message: 'm' }] : [],
  });

  it('lists the calls of read-only tools the record could not answer as run live, not diverged', () => {
    const run = trace('r', [
      step(1, 'calculator', { expression: '17 * 23' }, ok),
      step(2, 'time.now', {}, ok),
      step(3, 'notes.add', { text: '391' }, ok),
      step(4, 'notes.add', { text: 'again' }, refused),
    ]);
    const facts = runFactsOf(run, parent, ['time.now', 'notes.add']);
    expect(facts.live).toEqual([{ step: 2, tool: 'time.now', input: {} }]);
    expect(facts.divergences.map((d) => d.step)).toEqual([4]);
    // a recorded call made out of its order ran live when its tool is a live one
    const reversed = trace('r', [
      step(1, 'notes.add', { text: '391' }, ok),
      step(2, 'calculator', { expression: '17 * 23' }, ok),
    ]);
    expect(runFactsOf(reversed, parent, ['calculator']).live).toEqual([
      { step: 2, tool: 'calculator', input: { expression: '17 * 23' } },
    ]);
    expect(runFactsOf(run, parent).live).toBeUndefined();
  });

  it('averages numbers and booleans, not categories', () => {
    expect(meanOf({ a: 1, b: 0, c: true, d: 'good' })).toBeCloseTo(2 / 3);
    expect(meanOf({ d: 'good' })).toBeUndefined();
  });

  it('compares an item by its mean, a divergence of the candidate alone first', () => {
    expect(compareRuns(run(1), run(0))).toBe('better');
    expect(compareRuns(run(0), run(1))).toBe('worse');
    expect(compareRuns(run(1), run(1))).toBe('same');
    expect(compareRuns(run(1, true), run(1))).toBe('diverged');
    expect(compareRuns(run(1, true), run(0, true))).toBe('better');
  });

  it('passes only with no item worse and a mean at least the baseline’s', () => {
    const item = (c: number, b: number) => ({ taskId: 't', candidate: run(c), baseline: run(b) });
    expect(passesBaseline([item(1, 1), item(1, 0)])).toBe(true);
    expect(passesBaseline([item(1, 0), item(0.5, 1)])).toBe(false);
    expect(passesBaseline([item(0, 0)])).toBe(true);
  });

  it('aggregates per scorer, tokens, time and divergences; counts the pairwise outcomes', () => {
    const agg = aggregateOf([run(1), run(0, true)]);
    expect(agg).toEqual({
      items: 2,
      means: { s: 0.5 },
      mean: 0.5,
      tokens: 20,
      costUsd: 0,
      durationMs: 5,
      diverged: 1,
    });
    expect(
      pairwiseOf([
        { taskId: 'a', candidate: run(1), comparison: 'better' },
        { taskId: 'b', candidate: run(1), comparison: 'diverged' },
      ]),
    ).toEqual({ better: 1, worse: 0, same: 0, diverged: 1 });
  });

  it('scores a run with code scorers and the judge, skipping what the item does not expect', async () => {
    const asked: unknown[] = [];
    const specs = [
      { kind: 'trajectory', mode: 'strict', args: 'exact' },
      { kind: 'exact', caseSensitive: false },
      { kind: 'judge', name: 'helpful', rubric: 'Is it right?' },
    ].map((s) => Evaluations.ScorerSpec.parse(s));
    const facts = runFactsOf(
      trace('r', [step(1, 'calculator', { expression: '17 * 23' }, ok)], '391'),
      parent,
    );
    const { view, given } = await scoreRun(
      specs,
      facts,
      { trajectory: [{ tool: 'calculator' }, { tool: 'notes.add' }] },
      'what is 17 * 23',
      async (spec, input) => {
        asked.push(input);
        return { name: spec.name ?? 'judge', value: 0.5, scorerVersion: 'j', reason: 'ok' };
      },
    );
    expect(view.scores).toEqual({ 'trajectory.strict': 0, helpful: 0.5 });
    expect(view.mean).toBe(0.25);
    expect(given.map((g) => g.name)).toEqual(['trajectory.strict', 'helpful']);
    expect(asked).toEqual([{ task: 'what is 17 * 23', answer: '391', expected: undefined }]);
  });
});
