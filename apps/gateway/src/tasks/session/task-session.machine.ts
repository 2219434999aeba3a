import { StateMachine } from '@switchboard/contracts';

/**
 * Where one task conversation of the gateway stands (TaskSession drives it). `opening`: the stream
 * slot and the live subscription are being taken; `ready`: both are held and the new task is not
 * submitted yet; `started`: the task is submitted (or, for a resume, its stored events are being
 * read); `streaming`: its events come; `paused`: it stopped for approvals (a decision moves it on);
 * then one end: `answered` (completed), `failed` (failed or cancelled), `timed-out` (the edge's wait
 * ran out; the task keeps running), `refused` (no slot: nothing was submitted), `gone` (the client
 * went away; the task keeps running), `cut` (the events stopped before an outcome), `closed` (by the
 * edge: an answer given at a pause, or an error).
 */
export type SessionState =
  | 'opening'
  | 'ready'
  | 'started'
  | 'streaming'
  | 'paused'
  | 'answered'
  | 'failed'
  | 'timed-out'
  | 'refused'
  | 'gone'
  | 'cut'
  | 'closed';

/** What moves a session from one state to the next. */
export type SessionTrigger =
  | 'opened'
  | 'attached'
  | 'refused'
  | 'submitted'
  | 'event'
  | 'approval-requested'
  | 'pause-lifted'
  | 'completed'
  | 'failed'
  | 'timed-out'
  | 'client-gone'
  | 'feed-ended'
  | 'closed';

const FOLLOWING: readonly SessionState[] = ['started', 'streaming', 'paused'];
const OPEN: readonly SessionState[] = ['ready', ...FOLLOWING];

/** The gateway's task conversation (TaskSession drives it; docs/state-machines.md prints it). */
export const TASK_SESSION = new StateMachine<SessionState, SessionTrigger>({
  name: 'task session',
  initial: 'opening',
  final: ['answered', 'failed', 'timed-out', 'refused', 'gone', 'cut', 'closed'],
  transitions: [
    {
      from: 'opening',
      on: 'opened',
      to: 'ready',
      note: 'a new task: its slot (when the edge holds one) and its live subscription are taken, side by side, before it is submitted',
    },
    {
      from: 'opening',
      on: 'attached',
      to: 'started',
      note: 'an existing task (a resume, a decision): the slot first, then its stored events after the reader’s position and the live ones',
    },
    {
      from: 'opening',
      on: 'refused',
      to: 'refused',
      note: 'the user’s stream cap (429) or the subscription refused it: whatever was taken is given back, nothing is submitted',
    },
    {
      from: 'ready',
      on: 'submitted',
      to: 'started',
      note: 'the task is on the submission stream (a failed submission closes the session and is the edge’s error)',
    },
    {
      from: FOLLOWING,
      on: 'event',
      to: 'streaming',
      note: 'an event of the task, in seq order, handed to the edge',
    },
    {
      from: FOLLOWING,
      on: 'approval-requested',
      to: 'paused',
      note: '`orchestrator.approval.requested`: the edges that answer at a pause (the wait, A2A, AG-UI, MCP) are told, with the pending approvals when they ask for them',
    },
    {
      from: 'paused',
      on: 'pause-lifted',
      to: 'streaming',
      note: 'the approvals were decided meanwhile (none pending): the task goes on, and so does the session',
    },
    {
      from: FOLLOWING,
      on: 'completed',
      to: 'answered',
      note: '`orchestrator.task.completed`: the subscription and the slot are given back',
    },
    {
      from: FOLLOWING,
      on: 'failed',
      to: 'failed',
      note: '`orchestrator.task.failed` or `.cancelled`',
    },
    {
      from: FOLLOWING,
      on: 'timed-out',
      to: 'timed-out',
      note: 'the edge’s wait (RESULT_TIMEOUT_MS) ran out: the session lets go, the task keeps running',
    },
    {
      from: ['opening', ...OPEN],
      on: 'client-gone',
      to: 'gone',
      note: 'the client went away: slot and subscription freed at once; a task not yet submitted never is',
    },
    {
      from: FOLLOWING,
      on: 'feed-ended',
      to: 'cut',
      note: 'the events stopped before an outcome',
    },
    {
      from: OPEN,
      on: 'closed',
      to: 'closed',
      note: 'the edge is done (it answered at a pause, or failed): slot and subscription freed',
    },
  ],
});
