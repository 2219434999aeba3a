import { z } from 'zod';
import { pageLimit } from '../request.schemas.js';
import { commandGroup } from '../command-group.js';
import { defineEvent, type DomainContracts } from '../define.js';
import { TaskEventStream, TaskSubmissionStream } from '../streams.js';
import { TenantId } from '../identity.schemas.js';
import { safeText } from '../text.schemas.js';
import { ForgetRecalled } from './recall-forget.contracts.js';
import { TaskListRequest, TaskListResponse } from './task-list.schemas.js';
import { TaskEvent } from './task.events.js';
import {
  ReplayBatchGet,
  ReplayBatchList,
  ReplayBatchStart,
  RunEnqueue,
} from './replay.contracts.js';
import { TaskDiffView } from './replay.schemas.js';
import { TaskSubmission, TaskView } from './task-submission.schemas.js';
import { TaskId, TaskStatus } from './task.schemas.js';
import { ThreadAdmit, ThreadWithdraw } from './thread.contracts.js';

export const TaskSubmitted = defineEvent({
  template: 'sb.task.submit',
  tokens: [],
  payload: TaskSubmission,
  delivery: 'at-least-once',
  stream: TaskSubmissionStream,
  // orchestrator: a task that waited for approvals is submitted again once they are decided
  producers: ['gateway', 'orchestrator'],
  consumers: ['orchestrator'],
  description:
    'A task accepted by the gateway. Published with Nats-Msg-Id = taskId (de-duplicated); the orchestrator acks it once the task is terminal or waits for approvals, and submits it again (Nats-Msg-Id = <taskId>:resume:<n> or <taskId>:cancel) when they are decided or the task is cancelled.',
});

/** The most events one stored message holds (a step's events, or what one moment of a task emitted). */
export const MAX_EVENTS_PER_MESSAGE = 32;

/**
 * Events of one task emitted together — in the same moment of its run: a step dispatched and sent,
 * or answered and stored — stored as one message. Consecutive seqs, in order.
 */
export const TaskEventBatch = z
  .object({ taskId: TaskId, events: z.array(TaskEvent).min(1).max(MAX_EVENTS_PER_MESSAGE) })
  .strict()
  .superRefine((b, ctx) => {
    b.events.forEach((e, i) => {
      if (e.taskId !== b.taskId)
        ctx.addIssue({
          code: 'custom',
          path: ['events', i, 'taskId'],
          message: "not the batch's task",
        });
      const before = b.events[i - 1];
      if (before && e.seq !== before.seq + 1)
        ctx.addIssue({
          code: 'custom',
          path: ['events', i, 'seq'],
          message: 'seqs must follow each other',
        });
    });
  });
export type TaskEventBatch = z.infer<typeof TaskEventBatch>;

/** What a stored task-event message holds: a batch, or (from earlier releases) one event. */
export const StoredTaskEvents = z.union([TaskEventBatch, TaskEvent]);
export type StoredTaskEvents = z.infer<typeof StoredTaskEvents>;

/** The events of one stored message, in seq order. */
export function eventsOf(stored: StoredTaskEvents): TaskEvent[] {
  return 'events' in stored ? stored.events : [stored];
}

export const TaskEventPublished = defineEvent({
  // The tenant follows the task id: a tenant's events are `sb.evt.task.*.<tenant>.>` (what a tenant
  // operator's NATS identity may read), and one task's are still `sb.evt.task.<taskId>.>`.
  template: 'sb.evt.task.{taskId}.{tenantId}.{event...}',
  tokens: ['taskId', 'tenantId', 'event'],
  payload: StoredTaskEvents,
  delivery: 'at-least-once',
  stream: TaskEventStream,
  producers: ['orchestrator'],
  // gateway: SSE streams (gaps and resumes read the journal: TaskEvents); audit: the per-task log
  // archive (live, no queue group; what it missed is read from the journal at the task's end)
  consumers: ['gateway', 'audit'],
  description:
    "A task's progress, published live on core NATS once the transaction that journaled it (the orchestrator's TaskEvent table) committed: the events of one commit together (a TaskEventBatch, up to 32; earlier releases stored one event per message), `seq` gap-free per task. At most once: a reader missing a seq reads it from the journal (TaskEvents); SB_TASK_EVENTS still captures the subjects. `event` is the catalogue name of the last event held (e.g. orchestrator.step.completed; a terminal event is always last, so sb.evt.task.*.*.orchestrator.task.> sees every task end). `tenantId` is the task's tenant (`default` with tenancy off). Tail one task with sb.evt.task.<taskId>.>, one tenant's tasks with sb.evt.task.*.<tenantId>.>",
});

/**
 * The subscription filter for every event of one task (what operators tail). It matches the events
 * stored before subjects named the tenant too (`sb.evt.task.<taskId>.<event>`: an event name has
 * at least two tokens), so a task's history reads the same across the upgrade.
 */
export function taskEventsFilter(taskId: string): string {
  if (!TaskId.safeParse(taskId).success) throw new Error(`"${taskId}" is not a task id`);
  return TaskEventPublished.pattern.replace('*', taskId);
}

/**
 * The stored messages that end a task: a terminal event is always the last of its message, so its
 * subject ends in `orchestrator.task.<completed|failed|cancelled>` (a message ending with
 * `orchestrator.task.started` matches too: one a task). What the webhooks' `ended` durable reads,
 * instead of every event of every task.
 */
export const TASK_ENDS_FILTER = 'sb.evt.task.*.*.orchestrator.task.>';

/**
 * The stored messages that hold approval requests: a run of `orchestrator.approval.requested` always
 * ends its message (TaskEventSequence), so its subject names it. What the webhooks' approvals durable
 * reads.
 */
export const APPROVALS_REQUESTED_FILTER = 'sb.evt.task.*.*.orchestrator.approval.requested';

/** Every event of one tenant's tasks: what a tenant operator's NATS identity may subscribe to. */
export function tenantTaskEventsFilter(tenantId: string): string {
  if (!TenantId.safeParse(tenantId).success) throw new Error(`"${tenantId}" is not a tenant id`);
  return `sb.evt.task.*.${tenantId}.>`;
}

export const TaskCancelRequested = defineEvent({
  template: 'sb.ctl.task.{taskId}.cancel',
  tokens: ['taskId'],
  payload: z.object({ taskId: TaskId, reason: z.string().max(500) }),
  delivery: 'at-most-once',
  producers: ['orchestrator'],
  consumers: ['orchestrator', 'mcp-tools', 'a2a'],
  description:
    'Broadcast so the replica running the task (and its tool calls and delegations) stops it.',
});

/** The task commands, sb.cmd.orchestrator.task.<action>: the gateway's HTTP API sends them. */
const task = commandGroup('sb.cmd.orchestrator.task', { callers: ['gateway'] });

export const TaskGet = task.query('get', {
  request: z.object({ taskId: TaskId }).strict(),
  response: TaskView,
  description:
    "The stored state of one task with its steps. Its owner, an admin of its tenant, or the platform operator only (from headers); another tenant's task is NOT_FOUND, as a missing one.",
});

export const TaskList = task.command('list', {
  request: TaskListRequest,
  response: TaskListResponse,
  description:
    "Stored tasks, newest first, paged: the acting user's own, or (admins) everyone's in their tenant or one user's; the platform operator: every tenant's, or one tenant's with `tenantId` (anyone else naming another tenant gets no tasks). Filtered by status, text and creation time. Tasks not picked up by an orchestrator yet are not listed. FORBIDDEN for a non-admin asking for someone else's.",
});

/** The most events one page of TaskEvents answers (a reply stays well under NATS' max_payload). */
export const TASK_EVENTS_PAGE_MAX = 200;

export const TaskEventsPage = z
  .object({
    taskId: TaskId,
    /** Up to `limit` journaled events after `afterSeq`, in seq order, without gaps. */
    events: z.array(TaskEvent),
    /** The task's last journaled seq (0: none yet): more are there when it is past the page's last. */
    lastSeq: z.number().int().min(0),
    /** The last journaled event ends the task (nothing follows it). */
    ended: z.boolean(),
  })
  .strict();
export type TaskEventsPage = z.infer<typeof TaskEventsPage>;

export const TaskEvents = task.query('events', {
  // audit: a task log whose live events had a gap, read at the task's end as the task's owner
  callers: ['gateway', 'audit'],
  request: z
    .object({
      taskId: TaskId,
      /** Events with seq > afterSeq (a Last-Event-ID, or the last seq a reader holds). */
      afterSeq: z.number().int().min(0).default(0),
      limit: pageLimit(TASK_EVENTS_PAGE_MAX, 100),
    })
    .strict(),
  response: TaskEventsPage,
  description:
    "A task's journaled events after `afterSeq`, a page at a time (the orchestrator's TaskEvent table, committed with the step that emitted them): what a stream resumed with Last-Event-ID and a reader repairing a gap read, from any replica. Its owner, an admin of its tenant, or the platform operator only; another tenant's task is NOT_FOUND, as a missing one.",
});

export const TaskCancel = task.command('cancel', {
  request: z
    .object({
      taskId: TaskId,
      reason: safeText(z.string().max(500)).default('cancelled by user'),
      /**
       * The caller has checked that the acting user submitted this task (the gateway's own record):
       * if no replica has picked it up yet, remember the cancellation; it ends the task as cancelled
       * when it is picked up (if the submitter or an admin asked). Without it an unknown task is
       * NOT_FOUND.
       */
      whenQueued: z.boolean().default(false),
    })
    .strict(),
  response: z.object({ taskId: TaskId, status: TaskStatus }),
  idempotency: 'idempotent',
  description:
    "Requests cancellation. Its owner, an admin of its tenant, or the platform operator only; another tenant's task is NOT_FOUND. Idempotent; a terminal task is returned unchanged; a task not picked up yet (whenQueued) answers `queued` and ends cancelled when it is.",
});

export const TaskDiff = task.query('diff', {
  request: z.object({ a: TaskId, b: TaskId }).strict(),
  response: TaskDiffView,
  timeoutMs: 10_000,
  description:
    "Where two runs of a task (the original, its replays and forks) differ: decisions, steps' arguments and results, answers, tokens, cost and time (docs/replay.md). Both must be the caller's own, or their tenant's for its admins; another tenant's is NOT_FOUND.",
});

/** Every task contract, for the catalogue. */
export const TASK_CONTRACTS: DomainContracts = {
  commands: [
    TaskGet,
    TaskEvents,
    TaskCancel,
    TaskList,
    TaskDiff,
    ReplayBatchStart,
    ReplayBatchGet,
    ReplayBatchList,
    RunEnqueue,
    ThreadAdmit,
    ThreadWithdraw,
    ForgetRecalled,
  ],
  events: [TaskSubmitted, TaskEventPublished, TaskCancelRequested],
};
