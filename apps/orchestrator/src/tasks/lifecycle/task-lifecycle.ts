import type { Tasks } from '@switchboard/contracts';
import { type MachineInstance, StateMachine } from '@switchboard/contracts';

/**
 * Where one run of a task stands in this replica. `received`: delivered by the work queue, nothing
 * done yet; `starting`: claimed (its row exists), its tools being gathered; `planning`: a planning
 * round is being decided (or replayed after a crash); `dispatching`: the round's steps are running;
 * `finishing`: the outcome is known and being stored; then one of the three final states. `pausing`:
 * a call waits for a person's decision, the task is being stored as waiting; `waiting_approval`: no
 * replica holds it any more (a decision or a cancellation submits it again, and it starts over at
 * `received` wherever it is delivered). `waiting_thread`: delivered while its thread runs an earlier
 * task (docs/api.md, "Threads"); not claimed, its submission stored with its place in line: the end
 * of the task before it submits it again, and it starts over at `received`.
 */
export type TaskPhase =
  | 'received'
  | 'starting'
  | 'planning'
  | 'dispatching'
  | 'finishing'
  | 'pausing'
  | 'waiting_approval'
  | 'waiting_thread'
  | 'completed'
  | 'failed'
  | 'cancelled';

/** What moves a task from one phase to the next. */
export type TaskTrigger =
  | 'claimed'
  | 'ended-before'
  | 'queued-behind-thread'
  | 'toolbox-ready'
  | 'actions-decided'
  | 'steps-done'
  | 'answered'
  | 'approval-needed'
  | 'stored-waiting'
  | 'failed'
  | 'cancelled'
  | 'stored-completed'
  | 'stored-failed'
  | 'stored-cancelled';

const RUNNING: readonly TaskPhase[] = ['received', 'starting', 'planning', 'dispatching'];

/**
 * The task lifecycle the orchestrator drives. Each row says what is stored and streamed when it is
 * taken; a later state (waiting for an approval, replaying a record, interrupted by a newer message
 * on the thread) is a new row here, not a new flag in the loop.
 */
export const TASK_LIFECYCLE = new StateMachine<TaskPhase, TaskTrigger>({
  name: 'task',
  initial: 'received',
  final: ['completed', 'failed', 'cancelled', 'waiting_approval', 'waiting_thread'],
  transitions: [
    {
      from: 'received',
      on: 'claimed',
      to: 'starting',
      note: 'the row is inserted as running, or its queued row taken (a new task: `orchestrator.task.started`), or found, on a redelivery or after approvals: the run resumes',
    },
    {
      from: 'received',
      on: 'ended-before',
      to: 'finishing',
      note: 'delivered again after it ended: its terminal event is published again if it was lost',
    },
    {
      from: 'received',
      on: 'queued-behind-thread',
      to: 'waiting_thread',
      note: 'its thread runs an earlier task: the submission stored with its place in line and its row as waiting_thread (no text yet), acked; the end of the task before it (ThreadSlot released) moves its row to queued and submits it again',
    },
    {
      from: 'starting',
      on: 'toolbox-ready',
      to: 'planning',
      note: 'the manifest is read from mcp-tools; `mcp.toolbox.generated`',
    },
    {
      from: 'planning',
      on: 'actions-decided',
      to: 'dispatching',
      note: 'the round is stored before anything acts on it; `orchestrator.planning.completed`',
    },
    {
      from: 'dispatching',
      on: 'steps-done',
      to: 'planning',
      note: 'each step is stored as it ends; the next round sees their outcomes',
    },
    {
      from: 'dispatching',
      on: 'approval-needed',
      to: 'pausing',
      note: "a call needs a decision: the steps before it are stored, its round's calls that need one become pending approvals; `orchestrator.approval.requested` each",
    },
    {
      from: 'pausing',
      on: 'stored-waiting',
      to: 'waiting_approval',
      note: 'the row `waiting_approval` with the pending events journaled, the submission acked: nothing holds the task until the last decision (or a cancellation) submits it again',
    },
    {
      from: 'pausing',
      on: 'failed',
      to: 'finishing',
      note: 'the task could not be stored as waiting: a cancel was stored meanwhile (the stored task is `cancelling`), and it ends as cancelled',
    },
    {
      from: 'planning',
      on: 'answered',
      to: 'finishing',
      note: 'a final answer (stored with its round)',
    },
    {
      from: RUNNING,
      on: 'failed',
      to: 'finishing',
      note: 'a limit, a guardrail, a planning failure or an error that cannot be retried',
    },
    {
      from: RUNNING,
      on: 'cancelled',
      to: 'finishing',
      note: "the user's cancellation (also while queued) or the time budget",
    },
    {
      from: 'finishing',
      on: 'stored-completed',
      to: 'completed',
      note: 'row final with the pending events and `orchestrator.task.completed` journaled, thread turns, the thread handed to the next task waiting for it; the events published',
    },
    {
      from: 'finishing',
      on: 'stored-failed',
      to: 'failed',
      note: 'the same; `orchestrator.task.failed`',
    },
    {
      from: 'finishing',
      on: 'stored-cancelled',
      to: 'cancelled',
      note: 'the same, the step under way stored as cancelled; `orchestrator.task.cancelled`',
    },
  ],
});

export type TaskLifecycle = MachineInstance<TaskPhase, TaskTrigger>;

/** The trigger that ends `finishing` for an outcome of status `status`. */
export function storedTrigger(
  status: Extract<Tasks.TaskStatus, 'completed' | 'failed' | 'cancelled'>,
): TaskTrigger {
  switch (status) {
    case 'completed':
      return 'stored-completed';
    case 'failed':
      return 'stored-failed';
    case 'cancelled':
      return 'stored-cancelled';
  }
}
