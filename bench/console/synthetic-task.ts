import type { Tasks } from '@switchboard/contracts';

/**
 * The events of a long calculation chain as the orchestrator would store them, `count` in all: the
 * start, the toolbox, one planning round with every step, each step's four events (dispatching, the
 * tool call started and completed, the step completed), the closing round and the answer. Valid
 * against the task event schema (the bench publishes them through JetStreamService, which checks).
 */
export function syntheticTaskEvents(
  taskId: string,
  userId: string,
  count: number,
): Tasks.TaskEvent[] {
  const steps = Math.floor((count - 6) / 4);
  const spare = count - 6 - 4 * steps;
  const t0 = Date.now() - 60_000;
  let seq = 0;
  const out: Tasks.TaskEvent[] = [];
  const push = (name: Tasks.TaskEventName, data: unknown) =>
    out.push({
      taskId,
      seq: ++seq,
      at: new Date(t0 + seq * 5).toISOString(),
      source: 'orchestrator',
      name,
      data,
    } as Tasks.TaskEvent);
  const expression = (i: number) => `${i} * ${i + 1}`;
  push('orchestrator.task.started', {
    task: 'a long chain of calculations',
    userId,
    planner: 'builtin',
  });
  push('mcp.toolbox.generated', {
    tools: [{ name: 'calculator', provider: 'math' }],
    count: 1,
    mode: 'auto',
    cached: false,
  });
  push('orchestrator.planning.started', { planner: 'builtin', iteration: 1 });
  push('orchestrator.planning.completed', {
    planner: 'builtin',
    iteration: 1,
    decision: 'actions',
    plan: Array.from({ length: steps }, (_, i) => ({
      id: `s${i + 1}`,
      kind: 'tool',
      target: 'calculator',
      input: { expression: expression(i) },
      description: `calculate ${expression(i)}`,
    })),
  });
  for (let i = 0; i < steps; i++) {
    const ref = { stepId: `s${i + 1}`, index: i, kind: 'tool', target: 'calculator' };
    const input = { expression: expression(i) };
    const output = { expression: expression(i), result: i * (i + 1) };
    push('orchestrator.step.dispatching', { ...ref, input });
    push('mcp.task.started', { stepId: ref.stepId, tool: 'calculator', input });
    push('mcp.task.completed', { stepId: ref.stepId, tool: 'calculator', output, durationMs: 1 });
    push('orchestrator.step.completed', { ...ref, output, durationMs: 2 });
  }
  for (let i = 0; i < spare; i++) {
    push('orchestrator.guardrail.violation', { stage: 'output', rule: 'keyword' });
  }
  push('orchestrator.planning.started', { planner: 'builtin', iteration: 2 });
  push('orchestrator.task.completed', {
    result: `${steps} calculations done.`,
    planner: 'builtin',
    steps,
    durationMs: seq * 5,
  });
  return out;
}
