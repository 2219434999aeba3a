import { describe, expect, it } from '@jest/globals';
import type { TaskEvent } from './event-log';
import { divergenceWhere, originWords, startedOf, verdictOf, verdictWords } from './replay';

const OF = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';

describe(verdictWords.name, () => {
  it('says an identical replay is identical, with what was compared', () => {
    expect(verdictWords({ identical: true, of: OF, rounds: 2, steps: 1 })).toEqual({
      identical: true,
      badge: 'identical',
      text: 'The same decisions, steps and outcome as task 7f3a2c1e (2 planning rounds, 1 step; times and ids are not compared).',
    });
  });

  it('names where a replay first diverged and what differs there, with the summary the API gives', () => {
    const step = (status: string, code?: string) => ({
      action: { kind: 'tool', target: 'notes.add', input: { content: '391' } },
      result: { status, ...(code ? { code } : {}) },
    });
    const w = verdictWords({
      identical: false,
      of: OF,
      rounds: 1,
      steps: 0,
      divergence: {
        at: 'step',
        round: 1,
        step: 2,
        expected: step('completed'),
        got: step('failed', 'GUARDRAIL'),
        summary: 'step 2: expected notes.add completed, got notes.add failed GUARDRAIL',
      },
    });
    expect(w).toEqual({
      identical: false,
      badge: 'diverged at step 2',
      text: 'It first differs from task 7f3a2c1e at step 2: the status differs.',
      summary: 'step 2: expected notes.add completed, got notes.add failed GUARDRAIL',
    });
  });

  it('says when the replay stopped before the record did', () => {
    const w = verdictWords({
      identical: false,
      of: OF,
      rounds: 1,
      steps: 1,
      divergence: {
        at: 'round',
        round: 2,
        expected: { kind: 'final', answer: 'a' },
        got: null,
        summary: 's',
      },
    });
    expect(w.text).toBe(
      'It first differs from task 7f3a2c1e at planning round 2: the replay did not get here.',
    );
  });
});

describe(divergenceWhere.name, () => {
  it('says each kind of position in words', () => {
    expect(divergenceWhere({ at: 'input' })).toBe('the input check');
    expect(divergenceWhere({ at: 'round', round: 3 })).toBe('planning round 3');
    expect(divergenceWhere({ at: 'step', round: 1, step: 1 })).toBe('step 1');
    expect(divergenceWhere({ at: 'outcome' })).toBe('the outcome');
  });
});

describe(originWords.name, () => {
  it('names the task a replay or fork comes from, and where a fork went live', () => {
    expect(originWords({ kind: 'replay', of: OF })).toBe('Replay of task 7f3a2c1e');
    expect(originWords({ kind: 'fork', of: OF, from: { step: 2 } })).toBe(
      'Fork of task 7f3a2c1e from step 2',
    );
    expect(originWords({ kind: 'fork', of: OF, from: { round: 1 } })).toBe(
      'Fork of task 7f3a2c1e from planning round 1',
    );
  });
});

describe('reading a run from its events', () => {
  const ev = (seq: number, name: string, data: unknown): TaskEvent =>
    ({
      taskId: OF,
      seq,
      at: '2026-11-25T10:00:00.000Z',
      source: 'orchestrator',
      name,
      data,
    }) as TaskEvent;

  it('takes the text and origin from the started event, and the verdict once it has come', () => {
    const started = ev(1, 'orchestrator.task.started', {
      task: 'what is 17 * 23',
      userId: 'ann',
      planner: 'builtin',
      run: { kind: 'replay', of: OF },
    });
    expect(startedOf([])).toBeUndefined();
    expect(startedOf([started])).toEqual({
      task: 'what is 17 * 23',
      run: { kind: 'replay', of: OF },
    });
    expect(verdictOf([started])).toBeUndefined();
    const verdict = { identical: true, of: OF, rounds: 2, steps: 2 };
    expect(verdictOf([started, ev(2, 'orchestrator.replay.verdict', verdict)])).toEqual(verdict);
  });

  it('gives a task that is no replay or fork no origin', () => {
    const started = ev(1, 'orchestrator.task.started', { task: 't', userId: 'a', planner: 'llm' });
    expect(startedOf([started])).toEqual({ task: 't' });
  });
});
