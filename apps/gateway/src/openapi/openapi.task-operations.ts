import { Approvals, Gateway, Tasks } from '@switchboard/contracts';
import { z } from 'zod';
import { AgUiRunInput } from '../agui/run-input.js';
import { AgUiEventsQuery, CancelBody } from '../http/api.schemas.js';

import { accepted, listOf, ok, requiredBody, serviceErrors } from './openapi.operation-builders.js';
import { STREAM, taskId, type Operation } from './openapi.operation.js';

/** The caller's approvals and a task's are filtered, paged and answered alike. */
const APPROVALS_QUERY = z.object({
  status: Approvals.ApprovalStatus.optional(),
  limit: z.string().optional().describe('1-200, default 50'),
});
const APPROVALS_PAGE = ok('Newest first.', listOf('approvals', Approvals.ApprovalView));

/** The task surfaces: submit and stream, AG-UI, task state, events and cancel. */
export const TASK_OPERATIONS: Operation[] = [
  {
    method: 'post',
    path: '/orchestrate/stream',
    tag: 'tasks',
    summary: 'Run a task and stream its events as named SSE events',
    description:
      'Named SSE: each event has `id: <seq>`, `event: <name>` and the task event as data. The response carries `X-Task-Id`; resume with GET /tasks/{id}/events.',
    ...requiredBody(Tasks.TaskRequest),
    responses: {
      200: {
        description: "The task's events until it ends.",
        sse: 'named events, data = TaskEvent',
        schema: Tasks.TaskEvent,
        headers: ['X-Task-Id'],
      },
    },
    errors: STREAM,
  },
  {
    method: 'post',
    path: '/orchestrate',
    tag: 'tasks',
    summary: 'Run a task and wait for its answer',
    description:
      "With `?async=true` or `Prefer: respond-async`: 202 at once with the task id and links. A task that fails or is cancelled answers with the error envelope: the task's own code, the status from `x-failed-task-status` (the request was valid, so VALIDATION and NOT_FOUND are 422), and `details.task_id`, `details.status`, `details.links`. While it waits the request holds one of the user's stream slots.",
    query: z.object({
      async: z.enum(['true', '1', 'false', '0']).optional().describe('Answer 202 at once.'),
    }),
    ...requiredBody(Tasks.TaskRequest),
    responses: {
      200: {
        description: 'The completed task.',
        schema: Gateway.TaskAnswer,
      },
      202: {
        description:
          'Accepted; poll or stream it. Also when the task stopped for a decision: `status: waiting_approval`, the first `approval` and `links.approvals` (docs/approvals.md).',
        schema: Gateway.TaskAccepted,
        headers: ['Location'],
      },
    },
    errors: serviceErrors(400, 403, 409, 413, 415, 422),
  },
  {
    method: 'get',
    path: '/ag-ui/events',
    tag: 'ag-ui',
    summary: 'Run a task and stream legacy AG-UI events',
    description:
      '`data: {"event_type", "data", "message"}` events of types AGENT_RESPONSE, TOOL_CALL_START, TOOL_OUTPUT, A2A_DELEGATION_START, A2A_DELEGATION_RESULT, GUARDRAIL_VIOLATION, ERROR.',
    query: AgUiEventsQuery,
    responses: {
      200: {
        description: 'Legacy AG-UI events until the task ends.',
        sse: 'data-only events',
        headers: ['X-Task-Id'],
      },
    },
    errors: STREAM,
  },
  {
    method: 'post',
    path: '/ag-ui',
    tag: 'ag-ui',
    summary: 'AG-UI 1.0 run',
    description:
      'The standard AG-UI 1.0 protocol (what `@ag-ui/client` HttpAgent speaks): RunAgentInput in; RUN_STARTED, steps as tool calls, the answer as an assistant text message, then RUN_FINISHED or RUN_ERROR. `forwardedProps.tool_constraints` and `forwardedProps.max_steps` pass through.',
    ...requiredBody(AgUiRunInput),
    responses: {
      200: {
        description: 'AG-UI events (`data: <json>` frames).',
        sse: 'AG-UI 1.0 events',
        headers: ['X-Task-Id'],
      },
    },
    errors: STREAM,
  },
  {
    method: 'get',
    path: '/tasks/{id}',
    tag: 'tasks',
    summary: 'A task with its steps',
    pathParams: taskId,
    responses: {
      200: {
        description:
          'The task (its owner, an admin of its tenant, or the platform operator; another tenant\'s task is 404). A task not picked up yet shows `{taskId, status: "queued"}`.',
        schema: Tasks.TaskView,
      },
    },
    errors: serviceErrors(400, 403, 404),
  },
  {
    method: 'get',
    path: '/tasks/{id}/events',
    tag: 'tasks',
    summary: "Replay and follow a task's events",
    description:
      'From the first event (or after `Last-Event-ID`), then live until the task ends; no gaps, no duplicates, on any replica. A Last-Event-ID beyond the last event of a running task is taken as that event. If the task has ended but its events are gone (kept 7 days) or its terminal event never arrives, the stream ends with that terminal event rebuilt from the stored task (`source: "gateway"`).',
    pathParams: taskId,
    query: z.object({
      after: z
        .string()
        .optional()
        .describe('Same as Last-Event-ID, for clients that cannot set headers.'),
    }),
    headers: {
      'Last-Event-ID': { schema: z.string(), description: 'The seq of the last event received.' },
    },
    responses: {
      200: {
        description: 'Named SSE events.',
        sse: 'named events, data = TaskEvent',
        schema: Tasks.TaskEvent,
      },
      204: { description: 'The task has ended and the client has its last event.' },
    },
    errors: [400, 401, 403, 404, 429, 503],
  },
  {
    method: 'post',
    path: '/tasks/{id}/cancel',
    tag: 'tasks',
    summary: 'Cancel a task',
    description:
      'The task stops and its events end with `orchestrator.task.cancelled`. 200 (unchanged) when it had already ended.',
    pathParams: taskId,
    body: CancelBody,
    responses: {
      202: { description: 'Cancellation requested.', schema: Gateway.CancelAccepted },
      200: { description: 'The task had already ended.', schema: Gateway.CancelAccepted },
    },
    errors: serviceErrors(400, 403, 404, 409, 415),
  },
  {
    method: 'post',
    path: '/tasks/{id}/replay',
    tag: 'tasks',
    summary: 'Replay an ended task from its record',
    description:
      "A new task of the caller runs the task again through the orchestrator's loop with every model completion, tool result and delegation answer taken from its record: nothing is called and nothing is written. Its events stream like any task's and end with `orchestrator.replay.verdict` (identical, or the first divergence) before the terminal event. The task must have ended, and be the caller's own (or their tenant's, for an admin). See docs/replay.md.",
    pathParams: taskId,
    responses: accepted('The replay, queued; follow links.events.', Gateway.RunAccepted),
    errors: serviceErrors(400, 403, 404, 409),
  },
  {
    method: 'post',
    path: '/tasks/{id}/fork',
    tag: 'tasks',
    summary: 'Fork an ended task at a step or planning round',
    description:
      "A new task of the caller (linked to its parent) takes the record up to `from_step` or `from_round` as done — replayed, not run again — and runs live from there, under the caller's current permissions. It may change the task text, one earlier step's output (`step_output`), the plan of `from_round` (`plan`), the planner or model, the tool constraints or `max_steps`. See docs/replay.md.",
    pathParams: taskId,
    ...requiredBody(Tasks.ForkRequestBody),
    responses: accepted('The fork, queued; follow links.events.', Gateway.RunAccepted),
    errors: serviceErrors(400, 403, 404, 409, 415, 422),
  },
  {
    method: 'get',
    path: '/tasks/{a}/diff/{b}',
    tag: 'tasks',
    summary: 'Where two runs of a task differ',
    description:
      'Two runs of a task (the original, its replays and forks) side by side: the input check, each planning decision and step in order, and the end; what each did at each position, the first divergence, their answers, tokens, cost and time. Both must be readable by the caller.',
    pathParams: {
      a: { schema: Tasks.TaskId, description: 'One run (UUID).' },
      b: { schema: Tasks.TaskId, description: 'The other run (UUID).' },
    },
    responses: ok('The comparison.', Tasks.TaskDiffView),
    errors: serviceErrors(400, 404),
  },
  {
    method: 'post',
    path: '/replays',
    tag: 'tasks',
    summary: 'Run recorded tasks again with a changed configuration (an evaluation)',
    description:
      "Ended tasks of the caller (an admin's: its tenant's), by `taskIds` or `filter`, each run again: replayed when only `changes.guardrails` change (nothing is called), else forked from its first planning round with the new model, planner or `systemPrompt`, its tool calls and delegations answered from its record only. At most `concurrency` at a time, until the `budget` is spent. Each task's outcome (identical, same answer, different answer, failed, skipped), tokens and cost against its original, and the totals, on GET /replays/{id}. See docs/replay.md.",
    ...requiredBody(Tasks.ReplayBatchBody),
    responses: accepted('The batch, started.', Tasks.ReplayBatchView),
    errors: serviceErrors(400, 415, 422),
  },
  {
    method: 'get',
    path: '/replays',
    tag: 'tasks',
    summary: "The caller's replay batches",
    query: z.object({ limit: z.string().optional().describe('1-100, default 20') }),
    responses: ok('Newest first, with their totals.', listOf('batches', Tasks.ReplayBatchSummary)),
    errors: serviceErrors(400),
  },
  {
    method: 'get',
    path: '/replays/{id}',
    tag: 'tasks',
    summary: 'A replay batch, task by task',
    pathParams: { id: { schema: z.string().uuid(), description: 'The batch id (UUID).' } },
    responses: ok('The batch.', Tasks.ReplayBatchView),
    errors: serviceErrors(400, 404),
  },
  {
    method: 'get',
    path: '/approvals',
    tag: 'approvals',
    summary: 'Approvals the caller may decide',
    description:
      "Pending (or `status`) approvals of calls the caller may decide: their own tasks' where the policy lets them, their role's, the ones naming them; admins see everyone's in their tenant, the platform operator every tenant's. See docs/approvals.md.",
    query: APPROVALS_QUERY,
    responses: APPROVALS_PAGE,
    errors: serviceErrors(400),
  },
  {
    method: 'get',
    path: '/tasks/{id}/approvals',
    tag: 'approvals',
    summary: "A task's approvals",
    description:
      "The task's approvals of `status` (default pending): its owner, its approvers, its tenant's admins and the platform operator see them. Another tenant's task answers as one that does not exist: no approvals.",
    pathParams: taskId,
    query: APPROVALS_QUERY,
    responses: APPROVALS_PAGE,
    errors: serviceErrors(400, 404),
  },
  {
    method: 'post',
    path: '/tasks/{id}/approvals/{approvalId}',
    tag: 'approvals',
    summary: 'Approve or reject a call',
    description:
      '`approve` (optionally with edited `input`, checked against the tool input schema) or `reject` with a `reason` the model hears. 403 when the policy does not let the caller decide (audited), 404 for an approval they may not see, 409 when it is decided already. The last decision resumes the task.',
    pathParams: {
      ...taskId,
      approvalId: { schema: Approvals.ApprovalId, description: 'The approval id (UUID).' },
    },
    ...requiredBody(Approvals.ApprovalDecisionBody),
    responses: ok('The decided approval.', Approvals.ApprovalView),
    errors: serviceErrors(400, 403, 404, 409, 415),
  },
];
