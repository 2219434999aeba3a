import { describe, expect, it, jest } from '@jest/globals';
import { DomainError, type Tools } from '@switchboard/contracts';
import type { Planner } from '../planning/index.js';
import type { RecordedStepResult, StoredRound } from '../tasks/index.js';
import { RecordedRunSource } from './recorded-run.source.js';
import type { RecordedStep, RunOriginState, RunRecord } from './run-record.js';

const action = (id: string, target: string, input: Record<string, unknown> = {}) => ({
  id,
  kind: 'tool' as const,
  target,
  input,
  description: target,
});
const tool = (name: string, description = name): Tools.ManifestTool =>
  ({ name, description, provider: 'builtin', inputSchema: {} }) as unknown as Tools.ManifestTool;
const rounds: StoredRound[] = [
  {
    iteration: 1,
    planner: 'builtin',
    decision: {
      kind: 'actions',
      actions: [action('a1', 'calculator', { expression: '1+1' })],
      usage: { promptTokens: 1, completionTokens: 1, totalTokens: 2 },
      durationMs: 3,
    },
    context: {
      agents: [{ name: 'helper', description: 'helps' }],
      manifest: { tools: [tool('calculator')], mode: 'auto' },
      history: [{ role: 'user', content: 'before' }],
      recalled: [
        { id: 'm1', namespace: 'n', text: 'kept', score: 1 },
        { id: 'm2', namespace: 'n', text: '', score: 1, forgotten: true },
      ],
    },
  } as unknown as StoredRound,
  { iteration: 2, planner: 'builtin', decision: { kind: 'final', answer: '2' } },
];
const step = (index: number, over: Partial<RecordedStep> = {}): RecordedStep => ({
  index,
  actionId: 'a1',
  kind: 'tool',
  target: 'calculator',
  status: 'completed',
  input: { expression: '1+1' },
  output: 2,
  error: null,
  events: [],
  ...over,
});
const record = {
  taskId: 'orig',
  status: 'completed',
  rounds,
  steps: [step(0)],
} as unknown as RunRecord;

const planner = { kind: 'builtin' } as Planner;
const judge = { verdict: jest.fn(async (..._: unknown[]) => undefined) };
const source = (over: Partial<RunOriginState>) =>
  new RecordedRunSource(
    {
      kind: 'replay',
      of: 'orig',
      record,
      planner,
      liveRound: Infinity,
      liveStep: Infinity,
      ...over,
    },
    judge,
  );
const calc = { kind: 'tool' as const, target: 'calculator' };

describe(RecordedRunSource.name, () => {
  it('a replay: its own planner, no model asked, beside its thread, every step from the record', () => {
    const replay = source({});
    expect(replay).toMatchObject({ kind: 'replay', planner, inThread: false, asksModel: false });
    expect(replay.recordedDecision(1)).toBeUndefined();
    expect(replay.answersStep(7)).toBe(true);
  });

  it("a replay plans with its record's basis; a changed tool is its divergence", () => {
    const origin: Partial<RunOriginState> = {};
    const replay = source(origin);
    const basis = replay.recordedBasis();
    expect(basis).toMatchObject({
      manifest: { tools: [tool('calculator')], mode: 'auto' },
      agents: [{ name: 'helper' }],
      history: [{ role: 'user', content: 'before' }],
    });
    expect(basis?.compare([tool('calculator')])).toBeUndefined();
    const conflict = basis?.compare([tool('calculator', 'changed')]);
    expect(conflict).toMatchObject({ code: 'CONFLICT' });
    expect(replay.origin.divergence).toMatchObject({ at: 'round', round: 1 });
    // the recall without what was forgotten since, noted for the verdict
    expect(basis?.recall()).toEqual({ recalled: [expect.objectContaining({ id: 'm1' })] });
    expect(replay.origin.notes).toEqual([expect.stringMatching(/without 1 recalled memory item/)]);
  });

  it("a replay compares the tools its searches found with today's too (docs/tools.md)", () => {
    // a whole manifest tool, as a search's result carries it
    const found: Tools.ManifestTool = {
      name: 'gh__create_issue',
      title: 'Create issue',
      description: 'Opens an issue.',
      provider: 'gh',
      inputSchema: { type: 'object' },
      idempotent: false,
    };
    const search = step(1, {
      target: 'search_tools',
      input: { query: 'issue' },
      output: {
        query: 'issue',
        searched: 9,
        results: [{ tool: found, score: 1, fingerprint: 'f' }],
      },
    });
    const origin: Partial<RunOriginState> = { record: { ...record, steps: [step(0), search] } };
    const basis = source(origin).recordedBasis();
    const today = [tool('calculator'), { ...found, deferred: true }];
    expect(basis?.compare(today)).toBeUndefined();
    const changed = basis?.compare([tool('calculator'), { ...found, description: 'changed' }]);
    expect(changed?.message).toContain('the definition of gh__create_issue changed (description)');
    expect(basis?.compare([tool('calculator')])?.message).toContain(
      'gh__create_issue is no longer offered',
    );
  });

  it('a replay checks each round against its record', () => {
    const replay = source({});
    expect(
      replay.checkRound(1, {
        kind: 'actions',
        actions: [action('x', 'calculator', { expression: '1+1' })],
      }),
    ).toBeUndefined();
    expect(replay.checkRound(2, { kind: 'final', answer: '3' })).toBeInstanceOf(DomainError);
  });

  it('a replay takes the recorded step, and diverges on another call', () => {
    const replay = source({});
    const taken = replay.recordedStep(0, calc, { expression: '1+1' });
    expect(taken).toMatchObject({ kind: 'taken', step: { outcome: { output: 2 } } });
    const events = (taken as Extract<RecordedStepResult, { kind: 'taken' }>).step.events(true);
    expect(events.map((e) => e.name)).toEqual(['mcp.task.started', 'mcp.task.completed']);
    expect(replay.recordedStep(0, calc, { expression: '2+2' })).toMatchObject({
      kind: 'diverged',
      error: { code: 'CONFLICT' },
    });
  });

  it('a fork takes rounds and steps before its fork point, an edited plan at it, then runs live', () => {
    const fork = source({
      kind: 'fork',
      liveRound: 2,
      liveStep: 1,
      edits: { plan: [action('p', 'time.now')] },
    });
    expect(fork).toMatchObject({ kind: 'fork', asksModel: true, inThread: false });
    expect(fork.recordedBasis()).toBeUndefined();
    expect(fork.recordedHistory()).toEqual([{ role: 'user', content: 'before' }]);
    // round 1 without the cost the original paid
    expect(fork.recordedDecision(1)).toEqual({
      kind: 'actions',
      actions: [action('a1', 'calculator', { expression: '1+1' })],
    });
    expect(fork.recordedDecision(2)).toEqual({
      kind: 'actions',
      actions: [action('p', 'time.now')],
    });
    expect(fork.checkRound(2, { kind: 'final', answer: 'other' })).toBeUndefined();
    expect([fork.answersStep(0), fork.answersStep(1)]).toEqual([true, false]);
    // a fork takes the recorded step at its index even when the call differs
    expect(fork.recordedStep(0, calc, { expression: '9' })).toMatchObject({ kind: 'taken' });
  });

  it('stops where the record never finished a step', () => {
    const stopped = {
      ...record,
      status: 'cancelled' as const,
      steps: [step(0, { status: 'running' })],
    };
    expect(source({ record: stopped }).recordedStep(0, calc, { expression: '1+1' })).toEqual({
      kind: 'ended',
      reason:
        'the recorded task stopped at step 1 (the recorded task ended cancelled): the replay stops there too',
    });
  });

  it('an evaluation answers a live step only with a same call of the record, once', () => {
    const evaluation = source({
      kind: 'fork',
      liveRound: 1,
      liveStep: 0,
      edits: { tools: 'recorded' },
    });
    expect(evaluation.answersStep(3)).toBe(true);
    expect(evaluation.recordedStep(3, calc, { expression: '1+1' })).toMatchObject({
      kind: 'taken',
    });
    expect(evaluation.recordedStep(4, calc, { expression: '1+1' })).toMatchObject({
      kind: 'refused',
      error: { code: 'NOT_FOUND' },
    });
  });

  it('an evaluation answers the recorded calls in their order: one made out of order is refused', () => {
    const note = { kind: 'tool' as const, target: 'notes.add' };
    const twoCalls = {
      ...record,
      steps: [step(0), step(1, { target: 'notes.add', input: { text: '2' } })],
    } as unknown as RunRecord;
    const evaluation = () =>
      source({
        kind: 'fork',
        record: twoCalls,
        liveRound: 1,
        liveStep: 0,
        edits: { tools: 'recorded' },
      });
    const inOrder = evaluation();
    expect(inOrder.recordedStep(0, calc, { expression: '1+1' }).kind).toBe('taken');
    expect(inOrder.recordedStep(1, note, { text: '2' }).kind).toBe('taken');
    const reversed = evaluation();
    expect(reversed.recordedStep(0, note, { text: '2' }).kind).toBe('taken');
    expect(reversed.recordedStep(1, calc, { expression: '1+1' })).toMatchObject({
      kind: 'refused',
      error: { code: 'NOT_FOUND' },
    });
    // a fork from step 2: the step before the fork point is the record's, not a live call's answer
    const late = source({
      kind: 'fork',
      record: twoCalls,
      liveRound: 1,
      liveStep: 1,
      edits: { tools: 'recorded' },
    });
    expect(late.recordedStep(1, calc, { expression: '1+1' }).kind).toBe('refused');
  });

  it('an evaluation runs live only a read-only tool its liveTools name, when the record has no match', () => {
    const clock = { kind: 'tool' as const, target: 'time.now' };
    const note = { kind: 'tool' as const, target: 'notes.add' };
    const evaluation = source({
      kind: 'fork',
      liveRound: 1,
      liveStep: 0,
      edits: { tools: 'recorded', liveTools: ['time.now'] },
    });
    // a recorded call is still answered from the record, even of a live tool's name
    expect(evaluation.recordedStep(0, calc, { expression: '1+1' }).kind).toBe('taken');
    expect(evaluation.recordedStep(1, clock, {})).toEqual({ kind: 'live' });
    expect(evaluation.recordedStep(2, note, { text: 'x' })).toMatchObject({
      kind: 'refused',
      error: { code: 'NOT_FOUND' },
    });
    // a delegation never runs live, whatever its name
    expect(
      evaluation.recordedStep(3, { kind: 'agent', target: 'time.now' }, { message: 'hi' }).kind,
    ).toBe('refused');
    const strict = source({
      kind: 'fork',
      liveRound: 1,
      liveStep: 0,
      edits: { tools: 'recorded' },
    });
    expect(strict.recordedStep(0, clock, {}).kind).toBe('refused');
  });

  it('hands its origin to the judge for the verdict', async () => {
    const replay = source({});
    const run = {} as never;
    await replay.verdict(run, { status: 'completed', result: '2' });
    expect(judge.verdict).toHaveBeenCalledWith(replay.origin, run, {
      status: 'completed',
      result: '2',
    });
  });
});
