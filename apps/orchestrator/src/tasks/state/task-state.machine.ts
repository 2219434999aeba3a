import { StateMachine, type Tasks } from '@switchboard/contracts';

/**
 * Where a task stands, as stored (`Task.status`), whichever replica looks: `queued` (known, no replica
 * has claimed it; a task nobody stored yet is queued implicitly, its submission on the stream),
 * `running` (a replica holds it), `waiting_remote` (its replica holds it while a remote agent works
 * on a delegation of its), `waiting_approval` (no replica holds it until its last decision
 * submits it again), `waiting_thread` (behind an earlier task of its thread: stored by the thread gate
 * with its place in line, its text kept with its submission until its claim screens it), `cancelling` (a cancel
 * was stored; the run that holds it, or the next one, stops it), and the three ends.
 */
export type TaskState =
  | 'queued'
  | 'running'
  | 'waiting_remote'
  | 'waiting_approval'
  | 'waiting_thread'
  | 'cancelling'
  | 'completed'
  | 'failed'
  | 'cancelled';

/** What moves a stored task from one state to the next. */
export type TaskStateTrigger =
  | 'claimed'
  | 'delegated'
  | 'remote-answered'
  | 'paused'
  | 'resumed'
  | 'behind-thread'
  | 'thread-handed-over'
  | 'cancel-requested'
  | 'completed'
  | 'failed'
  | 'cancelled'
  | 'abandoned';

export const TASK_STATES: readonly TaskState[] = [
  'queued',
  'running',
  'waiting_remote',
  'waiting_approval',
  'waiting_thread',
  'cancelling',
  'completed',
  'failed',
  'cancelled',
];

const ENDS: readonly TaskState[] = ['completed', 'failed', 'cancelled'];
/** The states a replica holds the task in: its run, waiting on a remote agent or not. */
const RUN: readonly TaskState[] = ['running', 'waiting_remote'];
/** The states a run that ends leaves: the run held it, or a cancel came while it did. */
const HELD: readonly TaskState[] = [...RUN, 'cancelling'];
/** The states a cancel can be stored in (an end has nothing to cancel; a cancel is stored once). */
const CANCELLABLE: readonly TaskState[] = ['queued', ...RUN, 'waiting_approval', 'waiting_thread'];

/**
 * The stored task. Every write of `Task.status` is one of these rows, made by TaskStateStore as one
 * statement that compares and sets (state, version): a replica that lost a race to another (a
 * redelivery, a decision, a cancel) learns it instead of overwriting it. A task waiting for a remote
 * agent is `waiting_remote` while its replica holds the delegation open: stored as the delegation
 * starts and left in the statement that stores the delegation's step, so a reader (and a replica
 * resuming it after a crash) knows the task waits on another system, not on itself.
 */
/** The states a cancel can be stored in. */
export const CANCELLABLE_STATES = CANCELLABLE;

export const TASK_STATE = new StateMachine<TaskState, TaskStateTrigger>({
  name: 'stored task',
  initial: 'queued',
  final: ENDS,
  transitions: [
    {
      from: 'queued',
      on: 'claimed',
      to: 'running',
      note: 'a replica claims it: its row is inserted as running (version 0), or its queued row is taken; `orchestrator.task.started`',
    },
    {
      from: 'queued',
      on: 'behind-thread',
      to: 'waiting_thread',
      note: 'its first delivery found its thread running an earlier task (docs/api.md, "Threads"): its row is inserted as waiting_thread (version 0) in the transaction that puts it in line, without its text (not screened yet: reads take it from its `ThreadWaiter` submission); it reads as `queued`',
    },
    {
      from: 'waiting_thread',
      on: 'thread-handed-over',
      to: 'queued',
      note: "the task before it ended and handed it the thread, in the release's transaction: its submission is on the stream again, and its claim takes the queued row (writing its screened text)",
    },
    {
      from: 'running',
      on: 'delegated',
      to: 'waiting_remote',
      note: 'a delegation step starts: stored, with the pending events journaled, before the request goes to the a2a service; its replica holds the delegation open (a resumed run finds the row so and delegates again, attached to the same delegation)',
    },
    {
      from: 'waiting_remote',
      on: 'remote-answered',
      to: 'running',
      note: "the delegation ended (answered, failed or refused): in the statement that stores its step, so the step's outcome and the state commit together",
    },
    {
      from: RUN,
      on: 'paused',
      to: 'waiting_approval',
      note: 'a call needs a decision (or a delegated agent asks a question): plan and `pausedAt` stored with the pending events journaled, the submission acked',
    },
    {
      from: 'waiting_approval',
      on: 'resumed',
      to: 'running',
      note: 'the last decision submitted it again and a replica claims it: the wait is added to its time budget',
    },
    {
      from: CANCELLABLE,
      on: 'cancel-requested',
      to: 'cancelling',
      note: "the user's cancel (or a thread's interrupt), stored before anything acts on it: the replica holding it aborts; a task waiting for approvals or for its thread is submitted again to end (a row never started ends at its claim, running nothing)",
    },
    {
      from: HELD,
      on: 'completed',
      to: 'completed',
      note: 'an answer (also one that came before the run heard a cancel): row final with its result, usage and `finishedAt`',
    },
    {
      from: HELD,
      on: 'failed',
      to: 'failed',
      note: 'a limit, a guardrail, a planning failure, the time budget or an error that cannot be retried',
    },
    {
      from: HELD,
      on: 'cancelled',
      to: 'cancelled',
      note: 'the run stopped for a cancel: the step under way stored as cancelled in the same statement',
    },
    {
      from: [...CANCELLABLE, 'cancelling'],
      on: 'abandoned',
      to: 'failed',
      note: 'its submission was dead-lettered (it can never run): failed, or a failed row when it had none',
    },
  ],
});

/** What of a row tells its public status. */
export interface StoredStatus {
  status: string;
  pausedAt?: Date | null;
  startedAt?: Date | null;
}

/** The task's status as the API and the task events show it (`cancelling` is not one of them). */
export function publicStatus({ status, pausedAt, startedAt }: StoredStatus): Tasks.TaskStatus {
  switch (status as TaskState) {
    case 'cancelling':
      // Today's value: what it was when the cancel was stored (a waiting task keeps `pausedAt`, a
      // queued one has not started).
      return pausedAt ? 'waiting_approval' : startedAt ? 'running' : 'queued';
    case 'waiting_thread':
      return 'queued';
    case 'waiting_remote':
      return 'running';
    default:
      return status as Tasks.TaskStatus;
  }
}

/** The transition trigger of a run's outcome. */
export function endTrigger(
  status: Extract<Tasks.TaskStatus, 'completed' | 'failed' | 'cancelled'>,
): TaskStateTrigger {
  return status;
}
