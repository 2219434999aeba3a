import type { Tasks } from '@switchboard/contracts';

/** A realistic event sequence of the demo task (as the orchestrator emits it), for the format specs. */
// eslint-disable-next-line max-lines-per-function -- a table: one case per event or route
export function demoTaskEvents(
  taskId: string,
  ending: 'completed' | 'failed' | 'cancelled' = 'completed',
): Tasks.TaskEvent[] {
  let seq = 0;
  const e = <N extends Tasks.TaskEventName>(
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
    e('orchestrator.step.dispatching', {
      stepId: 's1',
      index: 0,
      kind: 'tool',
      target: 'calculator',
      input: { expression: '17 * 23' },
    }),
    e('mcp.task.started', { stepId: 's1', tool: 'calculator', input: { expression: '17 * 23' } }),
    e('mcp.task.completed', {
      stepId: 's1',
      tool: 'calculator',
      output: { result: 391 },
      durationMs: 1.5,
    }),
    e('orchestrator.step.completed', {
      stepId: 's1',
      index: 0,
      kind: 'tool',
      target: 'calculator',
      output: { result: 391 },
      durationMs: 2,
    }),
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
