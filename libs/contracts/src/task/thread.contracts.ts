import { z } from 'zod';
import { commandGroup } from '../command-group.js';
import { TaskId, ThreadId, ThreadPolicy } from './task.schemas.js';

/** The thread commands, sb.cmd.orchestrator.thread.<action>: the gateway sends them. */
const thread = commandGroup('sb.cmd.orchestrator.thread', { callers: ['gateway'] });

/**
 * Asked by the gateway before it submits a task that names a thread (docs/api.md, "Threads"): the
 * orchestrator decides under a row lock on the thread, so two gateways asking at the same instant are
 * served one after the other.
 */
export const ThreadAdmit = thread.command('admit', {
  request: z
    .object({
      taskId: TaskId,
      threadId: ThreadId,
      /** Absent: the orchestrator's THREAD_POLICY_DEFAULT. */
      policy: ThreadPolicy.optional(),
    })
    .strict(),
  response: z
    .object({
      taskId: TaskId,
      /** `run`: the thread was idle, the task runs at once; `queued`: it runs when the thread is. */
      decision: z.enum(['run', 'queued']),
      policy: ThreadPolicy,
      /** The task it waits behind (queued), the one it interrupts (interrupt, rollback). */
      runningTaskId: TaskId.optional(),
    })
    .strict(),
  idempotency: 'idempotent',
  description:
    "Admits a task into its submitter's thread (the acting user from headers) before it is submitted. The thread idle: `run`. Busy: by the policy (the request's, else THREAD_POLICY_DEFAULT) — reject: CONFLICT with details.running_task_id; enqueue: `queued`, it runs after the tasks before it; interrupt / rollback: the running task is cancelled (rollback: its turns are discarded), and this one runs next. Asked again for the same task: the same answer.",
});

export const ThreadWithdraw = thread.command('withdraw', {
  request: z.object({ taskId: TaskId, threadId: ThreadId }).strict(),
  response: z.object({ taskId: TaskId }).strict(),
  idempotency: 'idempotent',
  description:
    'Gives back the place of an admitted task that could not be submitted (the submission stream refused it, or a quota did), so the thread does not wait for a task that never comes.',
});

export type ThreadAdmitRequest = z.input<typeof ThreadAdmit.request>;
export type ThreadAdmitResponse = z.infer<typeof ThreadAdmit.response>;
