import { describe, expect, it } from '@jest/globals';
import type { TaskEvent } from './event-log';
import { summarize } from './run-summary.model';
import { recalledHow, recalledTitle } from './timeline-memory.model';
import { agentReplies, buildTimeline } from './timeline.model';

const TASK = '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b';
let seq = 0;
const at = '2026-11-24T10:00:00.000Z';
const ev = (name: string, data: Record<string, unknown>): TaskEvent =>
  ({ taskId: TASK, seq: ++seq, at, source: 'orchestrator', name, data }) as TaskEvent;
const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15 };

function delegationRun(): TaskEvent[] {
  seq = 0;
  return [
    ev('orchestrator.task.started', {
      task: 'ask the researcher',
      userId: 'ada',
      planner: 'llm',
      model: 'm1',
    }),
    ev('mcp.toolbox.generated', {
      tools: [{ name: 'calculator', provider: 'math' }],
      count: 1,
      mode: 'auto',
      cached: false,
    }),
    ev('orchestrator.planning.started', { planner: 'llm', iteration: 1 }),
    ev('orchestrator.planning.completed', {
      planner: 'llm',
      iteration: 1,
      decision: 'actions',
      plan: [
        {
          id: 's1',
          kind: 'tool',
          target: 'calculator',
          input: { expression: '17 * 23' },
          description: 'multiply',
        },
        {
          id: 's2',
          kind: 'agent',
          target: 'researcher',
          input: { message: 'NATS' },
          description: 'research',
        },
      ],
      usage,
      rejected: [{ tool: 'admin_debug', reason: 'not offered' }],
    }),
    ev('orchestrator.step.dispatching', {
      stepId: 's1',
      index: 0,
      kind: 'tool',
      target: 'calculator',
      input: { expression: '17 * 23' },
    }),
    ev('mcp.task.started', { stepId: 's1', tool: 'calculator', input: { expression: '17 * 23' } }),
    ev('mcp.task.completed', {
      stepId: 's1',
      tool: 'calculator',
      output: { result: 391 },
      durationMs: 2,
    }),
    ev('orchestrator.step.completed', {
      stepId: 's1',
      index: 0,
      kind: 'tool',
      target: 'calculator',
      output: { result: 391 },
      durationMs: 3,
    }),
    ev('orchestrator.step.dispatching', {
      stepId: 's2',
      index: 1,
      kind: 'agent',
      target: 'researcher',
      input: { message: 'NATS' },
    }),
    ev('a2a.delegation.started', {
      stepId: 's2',
      agent: 'researcher',
      message: 'NATS',
      transport: 'xmpp',
    }),
    ev('a2a.delegation.status', {
      stepId: 's2',
      agent: 'researcher',
      state: 'TASK_STATE_WORKING',
      text: 'reading',
      transport: 'xmpp',
    }),
    ev('a2a.delegation.result', {
      stepId: 's2',
      agent: 'researcher',
      state: 'TASK_STATE_COMPLETED',
      text: 'JetStream persists',
      artifacts: [],
      transport: 'xmpp',
      durationMs: 40,
    }),
    ev('orchestrator.step.completed', {
      stepId: 's2',
      index: 1,
      kind: 'agent',
      target: 'researcher',
      output: { text: 'JetStream persists' },
      durationMs: 41,
    }),
    ev('orchestrator.guardrail.violation', { stage: 'output', rule: 'keyword', stepId: 's2' }),
    ev('orchestrator.task.completed', {
      result: '391; JetStream persists',
      planner: 'llm',
      steps: 2,
      durationMs: 60,
      usage: { ...usage, totalTokens: 30 },
    }),
  ];
}

describe(buildTimeline.name, () => {
  it('makes one card per round, step, refusal and ending, with each step’s outcome on its card', () => {
    const cards = buildTimeline(delegationRun());
    expect(cards.map((c) => c.kind)).toEqual([
      'started',
      'toolbox',
      'planning',
      'tool',
      'delegation',
      'guardrail',
      'answer',
    ]);
    const planning = cards[2];
    expect(planning).toMatchObject({
      kind: 'planning',
      done: true,
      decision: 'actions',
      usage,
      rejected: [{ tool: 'admin_debug' }],
    });
    expect(cards[3]).toMatchObject({
      kind: 'tool',
      tool: 'calculator',
      status: 'completed',
      input: { expression: '17 * 23' },
      output: { result: 391 },
      durationMs: 3,
    });
    expect(cards[4]).toMatchObject({
      kind: 'delegation',
      agent: 'researcher',
      transport: 'xmpp',
      message: 'NATS',
      status: 'completed',
      state: 'TASK_STATE_COMPLETED',
      result: 'JetStream persists',
      updates: [{ state: 'TASK_STATE_WORKING', text: 'reading' }],
    });
    expect(cards[6]).toMatchObject({
      kind: 'answer',
      result: '391; JetStream persists',
      steps: 2,
      // What the delegation's step output said: the answer may quote it (answerParts).
      replies: [{ agent: 'researcher', text: 'JetStream persists' }],
    });
    expect(new Set(cards.map((c) => c.key)).size).toBe(cards.length);
  });

  it('shows a failed step and a failed task with their error codes', () => {
    seq = 0;
    const error = { code: 'BUDGET_EXCEEDED', message: 'token budget spent', retryable: false };
    const cards = buildTimeline([
      ev('orchestrator.task.started', { task: 't', userId: 'ada', planner: 'builtin' }),
      ev('orchestrator.step.dispatching', {
        stepId: 's1',
        index: 0,
        kind: 'tool',
        target: 'weather',
        input: {},
      }),
      ev('orchestrator.step.failed', {
        stepId: 's1',
        index: 0,
        kind: 'tool',
        target: 'weather',
        error: { code: 'UPSTREAM_ERROR', message: 'down', retryable: true },
      }),
      ev('orchestrator.task.failed', { error, steps: 1, durationMs: 5 }),
    ]);
    expect(cards[1]).toMatchObject({
      kind: 'tool',
      status: 'failed',
      error: { code: 'UPSTREAM_ERROR' },
    });
    expect(cards[2]).toMatchObject({ kind: 'failed', error: { code: 'BUDGET_EXCEEDED' } });
  });
  it("keeps each round's plan as planned, and a replay's verdict as a card before its ending", () => {
    seq = 0;
    const plan = [
      {
        id: 'a1',
        kind: 'tool',
        target: 'calculator',
        input: { expression: '1+1' },
        description: 'add',
      },
    ];
    const verdict = {
      identical: false,
      of: TASK,
      rounds: 1,
      steps: 1,
      divergence: { at: 'step', round: 1, step: 1, expected: 1, got: 2, summary: 'step 1: …' },
    };
    const cards = buildTimeline([
      ev('orchestrator.task.started', {
        task: 't',
        userId: 'ada',
        planner: 'builtin',
        run: { kind: 'replay', of: TASK },
      }),
      ev('orchestrator.planning.started', { planner: 'builtin', iteration: 1 }),
      ev('orchestrator.planning.completed', { planner: 'builtin', iteration: 1, plan }),
      ev('orchestrator.replay.verdict', verdict),
      ev('orchestrator.task.completed', {
        result: '2',
        planner: 'builtin',
        steps: 1,
        durationMs: 5,
      }),
    ]);
    expect(cards.map((c) => c.kind)).toEqual(['started', 'planning', 'verdict', 'answer']);
    expect(cards[1]).toMatchObject({ kind: 'planning', plan });
    expect(cards[2]).toMatchObject({ kind: 'verdict', key: 'verdict', verdict });
  });
});

describe(summarize.name, () => {
  it('counts events, steps and tokens while running, and takes the totals of the ending', () => {
    const events = delegationRun();
    const midway = summarize(events.slice(0, 9));
    expect(midway).toMatchObject({
      status: 'running',
      events: 9,
      steps: 2,
      tokens: 15,
      planner: 'llm',
    });
    expect(summarize(events)).toMatchObject({
      status: 'completed',
      steps: 2,
      tokens: 30,
      durationMs: 60,
    });
  });
});

describe('planning rounds at the end of a task', () => {
  it('closes a round left open by the ending with the ending as its decision', () => {
    seq = 0;
    const cards = buildTimeline([
      ev('orchestrator.task.started', { task: 't', userId: 'ada', planner: 'builtin' }),
      ev('orchestrator.planning.started', { planner: 'builtin', iteration: 1 }),
      ev('orchestrator.task.completed', {
        result: 'done',
        planner: 'builtin',
        steps: 0,
        durationMs: 1,
      }),
    ]);
    expect(cards[1]).toMatchObject({ kind: 'planning', done: true, decision: 'final' });
  });
});

describe(agentReplies.name, () => {
  it('gives the replies of the completed delegations so far, before the task ends', () => {
    const events = delegationRun();
    const beforeEnd = events.filter((e) => e.name !== 'orchestrator.task.completed');
    expect(agentReplies(beforeEnd)).toEqual([{ agent: 'researcher', text: 'JetStream persists' }]);
    expect(agentReplies(events.slice(0, 10))).toEqual([]);
  });
});

describe('approvals in the timeline', () => {
  const APPROVAL = '0b7c6d5e-4f3a-4b2c-9d1e-8f7a6b5c4d3e';
  function waitingRun(): TaskEvent[] {
    seq = 0;
    return [
      ev('orchestrator.task.started', { task: 't', userId: 'ada', planner: 'builtin' }),
      ev('orchestrator.approval.requested', {
        approvalId: APPROVAL,
        stepId: 's2',
        kind: 'tool',
        target: 'notes.add',
        input: { content: '391' },
        argsHash: 'a'.repeat(64),
        reason: 'save the result',
        expiresAt: '2026-11-25T10:00:00.000Z',
      }),
    ];
  }

  it('opens a pending card for a requested call, and the run waits for approval', () => {
    const events = waitingRun();
    expect(buildTimeline(events)[1]).toMatchObject({
      kind: 'approval',
      taskId: TASK,
      approvalId: APPROVAL,
      callKind: 'tool',
      target: 'notes.add',
      input: { content: '391' },
      reason: 'save the result',
      status: 'pending',
    });
    expect(summarize(events).status).toBe('waiting_approval');
  });

  it('puts the decision on the same card, and the run runs again', () => {
    const events = [
      ...waitingRun(),
      ev('orchestrator.approval.decided', {
        approvalId: APPROVAL,
        stepId: 's2',
        target: 'notes.add',
        status: 'rejected',
        decidedBy: 'bob',
        edited: false,
        comment: 'not today',
      }),
    ];
    const cards = buildTimeline(events);
    expect(cards.filter((c) => c.kind === 'approval')).toHaveLength(1);
    expect(cards[1]).toMatchObject({
      status: 'rejected',
      decidedBy: 'bob',
      comment: 'not today',
      edited: false,
      decidedAt: at,
    });
    expect(summarize(events).status).toBe('running');
  });

  it('cancels an approval the ending leaves undecided', () => {
    const events = [
      ...waitingRun(),
      ev('orchestrator.task.cancelled', { reason: 'stop', steps: 1, durationMs: 5 }),
    ];
    const card = buildTimeline(events)[1];
    expect(card).toMatchObject({ kind: 'approval', status: 'cancelled' });
    expect(card).not.toHaveProperty('decidedAt');
    expect(summarize(events).status).toBe('cancelled');
  });
});

describe('memory recalled in the timeline', () => {
  const ITEM = '3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a9f';
  it('shows what memory recalled before the first round as its own card, without content', () => {
    seq = 0;
    const events = [
      ev('orchestrator.task.started', {
        task: 'what is my number',
        userId: 'ada',
        planner: 'builtin',
      }),
      ev('orchestrator.memory.recalled', {
        count: 1,
        items: [
          { id: ITEM, namespace: { kind: 'user', key: 'ada' }, score: 0.06, matchedBy: 'words' },
        ],
      }),
      ev('orchestrator.planning.started', { planner: 'builtin', iteration: 1 }),
    ];
    const cards = buildTimeline(events);
    expect(cards.map((c) => c.kind)).toEqual(['started', 'recalled', 'planning']);
    expect(cards[1]).toEqual({
      key: 'recalled-2',
      seq: 2,
      at,
      kind: 'recalled',
      count: 1,
      items: [
        { id: ITEM, namespace: { kind: 'user', key: 'ada' }, score: 0.06, matchedBy: 'words' },
      ],
    });
    expect(recalledTitle(cards[1] as Parameters<typeof recalledTitle>[0])).toBe(
      'Recalled from memory: 1 item (by words)',
    );
    // Recall is not a step: the run's counts stay the planner's.
    expect(summarize(events)).toMatchObject({ steps: 0, events: 3 });
  });

  it('says how the items were found: by meaning, by words, both, or nothing when not said', () => {
    expect(recalledHow([{ matchedBy: 'meaning' }, { matchedBy: 'meaning' }])).toBe('by meaning');
    expect(recalledHow([{ matchedBy: 'meaning' }, { matchedBy: 'words' }])).toBe(
      'by meaning and by words',
    );
    expect(recalledHow([{}])).toBe('');
    expect(
      recalledTitle({
        count: 2,
        items: [
          { id: 'a', namespace: { kind: 'tenant', key: 'h' }, score: 0.9, matchedBy: 'meaning' },
          { id: 'b', namespace: { kind: 'user', key: 'ada' }, score: 0.5, matchedBy: 'meaning' },
        ],
      }),
    ).toBe('Recalled from memory: 2 items (by meaning)');
  });
});
