import type { Tasks } from '@switchboard/contracts';

/** Makes one task's events in order: each the orchestrator's, numbered from 1. */
function eventsOf(taskId: string) {
  let seq = 0;
  return <N extends Tasks.TaskEventName>(
    name: N,
    data: Tasks.TaskEventPayload<N>,
    message?: string,
  ): Tasks.TaskEvent =>
    ({
      taskId,
      seq: ++seq,
      at: '2026-11-22T10:00:00.000Z',
      source: 'orchestrator',
      name,
      data,
      ...(message ? { message } : {}),
    }) as Tasks.TaskEvent;
}

/** The demo task's first step, the calculation both sequences begin with. */
const CALCULATION = { stepId: 's1', index: 0, kind: 'tool' as const, target: 'calculator' };

/** A realistic event sequence of the demo task (as the orchestrator emits it), for the format specs. */
// eslint-disable-next-line max-lines-per-function -- a table: one case per event or route
export function demoTaskEvents(
  taskId: string,
  ending: 'completed' | 'failed' | 'cancelled' = 'completed',
): Tasks.TaskEvent[] {
  const e = eventsOf(taskId);
  const events = [
    e('orchestrator.task.started', {
      task: 'what is 17 * 23, then save the result as a note',
      userId: 'u1',
      planner: 'builtin',
    }),
    e('mcp.toolbox.generated', {
      tools: [{ name: 'calculator', provider: 'math' }],
      count: 1,
      mode: 'auto',
      cached: false,
    }),
    e('orchestrator.planning.started', { planner: 'builtin', iteration: 1 }),
    e('orchestrator.planning.completed', { planner: 'builtin', iteration: 1, plan: [] }),
    e('orchestrator.step.dispatching', { ...CALCULATION, input: { expression: '17 * 23' } }),
    e('mcp.task.started', { stepId: 's1', tool: 'calculator', input: { expression: '17 * 23' } }),
    e('mcp.task.completed', {
      stepId: 's1',
      tool: 'calculator',
      output: { result: 391 },
      durationMs: 1.5,
    }),
    e('orchestrator.step.completed', { ...CALCULATION, output: { result: 391 }, durationMs: 2 }),
    e('orchestrator.step.dispatching', {
      stepId: 's2',
      index: 1,
      kind: 'agent',
      target: 'researcher',
      input: { message: 'about 391' },
    }),
    e('a2a.delegation.started', {
      stepId: 's2',
      agent: 'researcher',
      message: 'about 391',
      transport: 'xmpp',
    }),
    e('a2a.delegation.result', {
      stepId: 's2',
      agent: 'researcher',
      state: 'TASK_STATE_COMPLETED',
      text: 'a prime? no',
      artifacts: [],
      transport: 'xmpp',
      durationMs: 12,
    }),
    e('orchestrator.step.completed', {
      stepId: 's2',
      index: 1,
      kind: 'agent',
      target: 'researcher',
      output: 'a prime? no',
      durationMs: 13,
    }),
    e('orchestrator.guardrail.violation', { stage: 'output', rule: 'DISALLOWED_KEYWORDS' }),
    e('orchestrator.planning.started', { planner: 'builtin', iteration: 2 }),
  ];
  if (ending === 'completed')
    events.push(
      e('orchestrator.task.completed', {
        result: '17 * 23 = 391.',
        planner: 'builtin',
        steps: 2,
        durationMs: 20,
      }),
    );
  if (ending === 'failed')
    events.push(
      e('orchestrator.task.failed', {
        error: { code: 'UNSUPPORTED', message: 'does not understand', retryable: false },
        steps: 2,
        durationMs: 20,
      }),
    );
  if (ending === 'cancelled')
    events.push(
      e('orchestrator.task.cancelled', { reason: 'cancelled by u1', steps: 2, durationMs: 20 }),
    );
  return events;
}

/** The approval the demo task's notes.add waits for in `approvalTaskEvents`. */
export const DEMO_APPROVAL = '0b6f1a52-3c4d-4e5f-8a9b-1c2d3e4f5a6b';

/**
 * The demo task with notes.add to be approved (docs/approvals.md), as the orchestrator emits it: the
 * calculation, then the call of notes.add asked for (seq 6) — where the task stops — and, after the
 * decision (`decision`), the run that resumes: the decision, then the call (approved) or its refusal
 * (rejected), then the answer.
 */
export function approvalTaskEvents(
  taskId: string,
  decision: 'approved' | 'rejected' = 'approved',
): Tasks.TaskEvent[] {
  const e = eventsOf(taskId);
  const note = { stepId: 's2', index: 1, kind: 'tool' as const, target: 'notes.add' };
  return [
    e('orchestrator.task.started', { task: 'demo', userId: 'u1', planner: 'builtin' }),
    e('orchestrator.planning.started', { planner: 'builtin', iteration: 1 }),
    e('orchestrator.planning.completed', { planner: 'builtin', iteration: 1, plan: [] }),
    e('orchestrator.step.dispatching', { ...CALCULATION, input: { expression: '17 * 23' } }),
    e('orchestrator.step.completed', { ...CALCULATION, output: { result: 391 }, durationMs: 2 }),
    e('orchestrator.approval.requested', {
      approvalId: DEMO_APPROVAL,
      stepId: 's2',
      kind: 'tool',
      target: 'notes.add',
      input: { content: '391' },
      argsHash: 'a'.repeat(64),
      reason: 'save the result as a note',
      expiresAt: '2026-11-23T10:00:00.000Z',
    }),
    e('orchestrator.approval.decided', {
      approvalId: DEMO_APPROVAL,
      stepId: 's2',
      target: 'notes.add',
      status: decision,
      decidedBy: 'u1',
      edited: false,
    }),
    ...(decision === 'approved'
      ? [
          e('orchestrator.step.dispatching', { ...note, input: { content: '391' } }),
          e('orchestrator.step.completed', { ...note, output: { id: 1 }, durationMs: 3 }),
        ]
      : [
          e('orchestrator.step.failed', {
            ...note,
            error: {
              code: 'FORBIDDEN',
              message: 'the call of notes.add was rejected by u1',
              retryable: false,
            },
          }),
        ]),
    e('orchestrator.task.completed', {
      result: '17 * 23 = 391.',
      planner: 'builtin',
      steps: 2,
      durationMs: 20,
    }),
  ];
}
