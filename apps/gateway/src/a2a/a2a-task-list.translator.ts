import { type ListTasksRequest, type ListTasksResponse, type Task, TaskState } from '@a2a-js/sdk';
import { RequestMalformedError } from '@a2a-js/sdk/errors';
import { type Actor, tenantOf, Tasks } from '@switchboard/contracts';
import { STATE_OF_STATUS } from './a2a.translator.js';

/** A2A 1.0's page size bounds and default (ListTasksRequest.pageSize). */
export const LIST_PAGE_SIZE_DEFAULT = 50;
export const LIST_PAGE_SIZE_MAX = 100;

/** The platform statuses an A2A state filter stands for (none: no platform task is in that state). */
const STATUSES_OF_STATE: Partial<Record<TaskState, Tasks.TaskStatus[]>> = {
  [TaskState.TASK_STATE_SUBMITTED]: ['queued'],
  [TaskState.TASK_STATE_WORKING]: ['running'],
  [TaskState.TASK_STATE_INPUT_REQUIRED]: ['waiting_approval'],
  [TaskState.TASK_STATE_COMPLETED]: ['completed'],
  [TaskState.TASK_STATE_FAILED]: ['failed'],
  [TaskState.TASK_STATE_CANCELED]: ['cancelled'],
  [TaskState.TASK_STATE_REJECTED]: [],
  [TaskState.TASK_STATE_AUTH_REQUIRED]: [],
};

/**
 * An A2A ListTasks request as the orchestrator's task list (`Tasks.TaskList`), or `'empty'` when it
 * asks for a state no platform task is in. Always within the caller's own tenant — also for the
 * platform operator, whom GET /tasks shows every tenant's: an A2A client acts in one tenant — and the
 * orchestrator applies owner-or-admin as for GET /tasks. contextId is the thread, the page token the
 * list's cursor, statusTimestampAfter the time the task's row last changed. Bad values are refused
 * naming the field.
 */
export function taskListRequestOf(
  params: ListTasksRequest,
  actor: Actor,
): Tasks.TaskListRequest | 'empty' {
  const pageSize = params.pageSize ?? LIST_PAGE_SIZE_DEFAULT;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > LIST_PAGE_SIZE_MAX)
    throw new RequestMalformedError(
      `params.pageSize must be an integer from 1 to ${LIST_PAGE_SIZE_MAX} (default ${LIST_PAGE_SIZE_DEFAULT})`,
    );
  const statuses =
    params.status === TaskState.TASK_STATE_UNSPECIFIED
      ? undefined
      : STATUSES_OF_STATE[params.status];
  if (params.status !== TaskState.TASK_STATE_UNSPECIFIED && statuses === undefined)
    throw new RequestMalformedError(`params.status: unknown task state ${String(params.status)}`);
  if (statuses?.length === 0) return 'empty';
  if (params.pageToken && !Tasks.TaskListCursor.safeParse(params.pageToken).success)
    throw new RequestMalformedError(
      "params.pageToken must be a previous page's nextPageToken, as it was given",
    );
  const after = params.statusTimestampAfter;
  if (after !== undefined && after !== '' && !isIsoTime(after))
    throw new RequestMalformedError(
      'params.statusTimestampAfter must be an ISO 8601 time (2026-11-26T08:00:00Z)',
    );
  if (params.contextId.length > 128)
    throw new RequestMalformedError('params.contextId must be at most 128 characters');
  return {
    tenantId: tenantOf(actor),
    limit: pageSize,
    withTotal: true,
    ...(statuses ? { status: statuses } : {}),
    ...(params.contextId ? { threadId: params.contextId } : {}),
    ...(params.pageToken ? { before: params.pageToken } : {}),
    ...(after ? { updatedAfter: new Date(after).toISOString() } : {}),
  };
}

function isIsoTime(s: string): boolean {
  return (
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) &&
    !isNaN(Date.parse(s))
  );
}

/**
 * A page of the task list as A2A's ListTasksResponse. A row of the list carries its status, thread
 * and times, not its messages or result: `history` is empty and artifacts are not listed (GetTask
 * reads one task whole); `metadata.task` is the task's text (cut to 300 characters).
 */
export function listTasksResponseOf(
  page: Tasks.TaskListResponse,
  pageSize: number,
): ListTasksResponse {
  return {
    tasks: page.tasks.map(taskOfSummary),
    nextPageToken: page.nextBefore ?? '',
    pageSize,
    totalSize: page.total ?? page.tasks.length,
  };
}

export function emptyTaskList(pageSize: number): ListTasksResponse {
  return { tasks: [], nextPageToken: '', pageSize, totalSize: 0 };
}

function taskOfSummary(t: Tasks.TaskSummary): Task {
  const contextId = t.threadId ?? '';
  return {
    id: t.taskId,
    contextId,
    status: {
      state: STATE_OF_STATUS[t.status],
      timestamp: t.updatedAt ?? t.finishedAt ?? t.createdAt,
      message: undefined,
    },
    artifacts: [],
    history: [],
    // What the task was asked (cut as the list cuts it) and when: what a client lists tasks by.
    metadata: { task: t.task, createdAt: t.createdAt },
  };
}
