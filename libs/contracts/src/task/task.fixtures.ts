import type { TaskEvent } from './task.events.js';
import type { TaskSubmission } from './task-submission.schemas.js';

/** Valid example payloads (contract tests and docs). */
export const demoSubmission: TaskSubmission = {
  taskId: '7f3a2c1e-5b4d-4e6f-8a9b-0c1d2e3f4a5b',
  actor: { userId: 'dev-user', role: 'user' },
  request: { task: 'what is 17 * 23, then save the result as a note' },
  submittedAt: '2026-11-22T10:00:00.000Z',
  correlationId: 'req-1',
};

const base = {
  taskId: demoSubmission.taskId,
  at: '2026-11-22T10:00:00.010Z',
  source: 'orchestrator',
};

export const demoEvents: TaskEvent[] = [
  {
    ...base,
    seq: 1,
    name: 'orchestrator.task.started',
    data: { task: demoSubmission.request.task, userId: 'dev-user', planner: 'builtin' },
  },
  {
    ...base,
    seq: 2,
    name: 'mcp.toolbox.generated',
    data: {
      tools: [{ name: 'calculator', provider: 'math' }],
      count: 1,
      mode: 'auto',
      cached: false,
    },
  },
  {
    ...base,
    seq: 3,
    name: 'orchestrator.step.completed',
    data: {
      stepId: 's1',
      index: 0,
      kind: 'tool',
      target: 'calculator',
      output: { result: 391 },
      durationMs: 1.2,
    },
  },
  {
    ...base,
    seq: 4,
    name: 'orchestrator.task.completed',
    data: { result: '17 * 23 = 391.', planner: 'builtin', steps: 2, durationMs: 8 },
  },
];
