import { z } from 'zod';
import { ForkPoint, RunKind } from '../task/replay.schemas.js';
import { TaskEventData } from '../task/task.events.js';
import { PlannerKind, TaskStatus } from '../task/task.schemas.js';

/**
 * The gateway's own answers about tasks, which no NATS command carries: `/orchestrate`'s (snake_case:
 * the compatibility surface), a replay's or fork's, a cancel's. The gateway builds them and the OpenAPI
 * document describes them from these schemas; clients read them with these types.
 */

/** The 202 of `POST /orchestrate?async=true` (snake_case: `/orchestrate` is the compatibility surface). */
export const TaskAccepted = z.object({
  task_id: z.string().uuid(),
  status: z.literal('queued'),
  links: z.object({ self: z.string(), events: z.string() }),
});
export type TaskAccepted = z.infer<typeof TaskAccepted>;

/** The 200 of `POST /orchestrate`: the completed task. */
export const TaskAnswer = z.object({
  task_id: z.string(),
  status: z.literal('completed'),
  result: z.string(),
  output: z.unknown(),
  planner: PlannerKind,
  steps: z.number(),
  duration_ms: z.number(),
  links: z.record(z.string(), z.string()),
});
export type TaskAnswer = z.infer<typeof TaskAnswer>;

/**
 * The 202 of `POST /orchestrate` for a task that stopped for a person's decision (docs/approvals.md):
 * the first approval it waits for, and where to see and decide it.
 */
export const TaskWaitingAnswer = z.object({
  task_id: z.string(),
  status: z.literal('waiting_approval'),
  approval: TaskEventData['orchestrator.approval.requested'],
  links: z.object({
    self: z.string(),
    events: z.string(),
    approvals: z.string(),
    decide: z.string(),
  }),
});
export type TaskWaitingAnswer = z.infer<typeof TaskWaitingAnswer>;

/** The answer of `POST /tasks/{id}/replay` and `/fork`: a new task, like `POST /orchestrate`'s 202. */
export const RunAccepted = z.object({
  task_id: z.string().uuid(),
  status: z.literal('queued'),
  run: z.object({ kind: RunKind, of: z.string().uuid(), from: ForkPoint.optional() }),
  links: z.object({ self: z.string(), events: z.string(), parent: z.string(), diff: z.string() }),
});
export type RunAccepted = z.infer<typeof RunAccepted>;

/** The answer of `POST /tasks/{id}/cancel` (camelCase, like every `/tasks` answer). */
export const CancelAccepted = z.object({
  taskId: z.string().uuid(),
  status: TaskStatus,
  cancelRequested: z
    .boolean()
    .describe('false: the task had already ended (200), so there was nothing to cancel.'),
});
export type CancelAccepted = z.infer<typeof CancelAccepted>;

/** `GET /tasks/{id}` in the instant before an orchestrator has the task's submission. */
export const QueuedTaskView = z.object({ taskId: z.string().uuid(), status: z.literal('queued') });
export type QueuedTaskView = z.infer<typeof QueuedTaskView>;
