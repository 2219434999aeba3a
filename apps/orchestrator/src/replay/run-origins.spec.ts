import { describe, expect, it } from '@jest/globals';
import { DomainError } from '@switchboard/contracts';
import type { StoredRound } from '../tasks/index.js';
import { forkPoint, runSubmission } from './run-origins.js';
import type { RecordedStep, RunOriginState, RunRecord } from './run-record.js';

const action = (id: string, target: string) => ({
  id,
  kind: 'tool' as const,
  target,
  input: {},
  description: target,
});
const rounds: StoredRound[] = [
  {
    iteration: 1,
    planner: 'llm',
    decision: { kind: 'actions', actions: [action('a1', 'calculator')] },
  },
  {
    iteration: 2,
    planner: 'llm',
    decision: { kind: 'actions', actions: [action('b1', 'notes.add'), action('b2', 'time.now')] },
  },
  { iteration: 3, planner: 'llm', decision: { kind: 'final', answer: 'done' } },
];
const step = (index: number, actionId: string, target: string): RecordedStep => ({
  index,
  actionId,
  kind: 'tool',
  target,
  status: 'completed',
  input: {},
  output: {},
  error: null,
  events: [],
});
const record = {
  rounds,
  steps: [step(0, 'a1', 'calculator'), step(1, 'b1', 'notes.add'), step(2, 'b2', 'time.now')],
};

describe(forkPoint.name, () => {
  it('from a round: earlier rounds and their steps are the record, that round is planned live', () => {
    expect(forkPoint(record, { round: 1 })).toEqual({ liveRound: 1, liveStep: 0 });
    expect(forkPoint(record, { round: 2 })).toEqual({ liveRound: 2, liveStep: 1 });
    expect(forkPoint(record, { round: 3 })).toEqual({ liveRound: 3, liveStep: 3 });
  });

  it("from a step: the round that planned it is the record's too, and the steps before it", () => {
    expect(forkPoint(record, { step: 1 })).toEqual({ liveRound: 2, liveStep: 0 });
    expect(forkPoint(record, { step: 3 })).toEqual({ liveRound: 3, liveStep: 2 });
  });

  it('refuses a point past the record, naming the field', () => {
    expect(() => forkPoint(record, { step: 4 })).toThrow('from_step: the task has 3 step(s)');
    expect(() => forkPoint(record, { round: 4 })).toThrow(DomainError);
  });
});

describe(runSubmission.name, () => {
  const origin = (kind: 'replay' | 'fork'): RunOriginState =>
    ({
      kind,
      record: {
        request: {
          task: 'recorded',
          thread_id: 't1',
          thread_policy: 'enqueue',
          webhook: { url: 'https://hooks.example.com/original', events: ['*'] },
          max_steps: 4,
          approval: { tools: ['notes.add'] },
        },
        rounds: [],
      } as unknown as RunRecord,
    }) as RunOriginState;
  const s = {
    taskId: '7f3a2c1e-9b8d-4e6f-a1b2-c3d4e5f60718',
    actor: { userId: 'ann', role: 'user' },
    request: { task: 'edited', max_steps: 2 },
    submittedAt: new Date().toISOString(),
    correlationId: 'c',
  };

  it("a replay runs the record's request, outside the record's thread, calling none of its webhooks", () => {
    expect(runSubmission(s, origin('replay')).request).toEqual({
      task: 'recorded',
      max_steps: 4,
      approval: { tools: ['notes.add'] },
    });
  });

  it("a fork runs the record's request with its own changes on top: its caller's webhook only", () => {
    expect(runSubmission(s, origin('fork')).request).toEqual({
      task: 'edited',
      max_steps: 2,
      approval: { tools: ['notes.add'] },
    });
    const own = { url: 'https://hooks.example.com/fork', events: ['ended' as const] };
    expect(
      runSubmission({ ...s, request: { ...s.request, webhook: own } }, origin('fork')).request
        .webhook,
    ).toEqual(own);
  });
});
