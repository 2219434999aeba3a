import { z } from 'zod';
import { limitRequest } from '../request.schemas.js';
import { commandGroup } from '../command-group.js';
import {
  ReplayBatchBody,
  ReplayBatchSummary,
  ReplayBatchView,
  RunOrigin,
} from './replay.schemas.js';
import { TaskSubmission } from './task-submission.schemas.js';
import { TaskId } from './task.schemas.js';

/**
 * The replay commands, sb.cmd.orchestrator.<entity>.<action>: the gateway's HTTP API sends them.
 */
const orchestrator = commandGroup('sb.cmd.orchestrator', { callers: ['gateway'] });

export const ReplayBatchStart = orchestrator.command('replays.start', {
  request: ReplayBatchBody,
  response: ReplayBatchView,
  timeoutMs: 10_000,
  description:
    "Starts a replay batch (docs/replay.md): the caller's ended tasks (an admin's: its tenant's) by id or filter, run again with the changes, at most `concurrency` at a time, within the budget; answers the batch as started.",
});

export const ReplayBatchGet = orchestrator.query('replays.get', {
  request: z.object({ batchId: z.string().uuid() }).strict(),
  response: ReplayBatchView,
  description:
    "One replay batch with each task's outcome against its original and the totals. Its creator's, or (admins) its tenant's; another tenant's is NOT_FOUND.",
});

export const ReplayBatchList = orchestrator.query('replays.list', {
  request: limitRequest(100, 20),
  response: z.object({ batches: z.array(ReplayBatchSummary) }),
  description:
    "The caller's replay batches (an admin's: its tenant's), newest first, with their totals.",
});

/**
 * Asked by the gateway once a replay's or fork's submission is on the stream, before it answers the
 * POST (docs/replay.md): the orchestrator stores the run `queued` with its origin, so its first read
 * names its parent and its run, as a replay batch's runs are stored before they are sent.
 */
export const RunEnqueue = orchestrator.command('run.enqueue', {
  request: TaskSubmission.pick({
    taskId: true,
    request: true,
    submittedAt: true,
    correlationId: true,
  })
    .extend({ run: RunOrigin })
    .strict(),
  response: z
    .object({
      taskId: TaskId,
      /** False: stored before (its claim came first, or a repeat), or a parent the caller may not read. */
      stored: z.boolean(),
    })
    .strict(),
  idempotency: 'idempotent',
  description:
    "Stores a submitted replay or fork `queued` with its origin (the acting user from headers), so GET /tasks/{id} and its parent's `runs` show it before a replica claims it; the claim takes that row. Only for a parent the caller may read (its owner, an admin of its tenant, the platform operator); its text is stored only when it is the parent's (an edited one waits for its claim's input guardrail). A task stored already is left as it is.",
});
export type RunEnqueueRequest = z.infer<typeof RunEnqueue.request>;
