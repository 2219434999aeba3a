import { ConnectionError } from '../core/errors.js';
import { type ReconnectOptions, TaskEventStream } from '../core/task-event.stream.js';
import { type CallOptions, pathOf, type Transport } from '../core/transport.js';
import type {
  CancelAccepted,
  ForkRequest,
  QueuedTaskView,
  RunAccepted,
  TaskAccepted,
  TaskAnswer,
  TaskDiffView,
  TaskListResponse,
  TaskRequest,
  TaskStatus,
  TaskView,
  TaskWaitingAnswer,
} from '../wire.js';

/** Options of a task event stream: the call's, and how it resumes after a drop. */
export interface StreamOptions extends CallOptions {
  reconnect?: ReconnectOptions;
}

/** `GET /tasks`' filters (docs/api.md, "The task list"). */
export interface TaskListQuery {
  /** Only tasks of these statuses. */
  status?: TaskStatus | readonly TaskStatus[];
  /** Only tasks whose text holds this (any case). */
  q?: string;
  /** Created at or after (ISO 8601). */
  from?: string;
  /** Created before (ISO 8601). */
  to?: string;
  /** Paging: the `nextBefore` of the previous page. */
  before?: string;
  /** Tasks per page, 1–200 (default 50). */
  limit?: number;
  /** Another user's tasks (admins). */
  user_id?: string;
  /** One tenant's tasks (the platform operator). */
  tenant_id?: string;
}

/**
 * Whether `GET /tasks/{id}` answered the stored task, not `{taskId, status: 'queued'}`: the instant
 * before an orchestrator has its submission, when nothing more is known of it.
 */
export function isTaskView(view: TaskView | QueuedTaskView): view is TaskView {
  return 'userId' in view;
}

/**
 * Tasks: run one and get its answer, or stream its events; read, list and cancel tasks; replay, fork
 * and compare runs (docs/api.md, docs/replay.md).
 */
export class TasksApi {
  constructor(
    private readonly transport: Transport,
    private readonly reconnect?: ReconnectOptions,
  ) {}

  /**
   * Runs a task and waits for its answer (`POST /orchestrate`). A task that stops for a person's
   * decision answers at once with `status: 'waiting_approval'` and the approval; one that fails or is
   * cancelled rejects with a TaskFailedError (its code, `taskId`). No time limit of the client's own
   * unless `timeoutMs` says so: the gateway answers 504 after RESULT_TIMEOUT_MS, the task running on.
   * Sent once: the gateway takes no idempotency key, so a retry could start the task twice.
   */
  run(request: TaskRequest, options: CallOptions = {}): Promise<TaskAnswer | TaskWaitingAnswer> {
    return this.transport.send('POST', 'orchestrate', options, { body: request, timeoutMs: 0 });
  }

  /** Submits a task and answers at once with its id and links (`POST /orchestrate?async=true`). */
  submit(request: TaskRequest, options: CallOptions = {}): Promise<TaskAccepted> {
    return this.transport.send('POST', 'orchestrate', options, {
      query: { async: 'true' },
      body: request,
    });
  }

  /**
   * Runs a task and streams its events (`POST /orchestrate/stream`): resolves once the gateway took the
   * task (a refusal rejects: 400 naming the field, 429 with its retry-after), with a stream that
   * resumes by itself after a dropped connection and ends with the task.
   */
  async stream(request: TaskRequest, options: StreamOptions = {}): Promise<TaskEventStream> {
    const response = await this.transport.open({
      method: 'POST',
      path: 'orchestrate/stream',
      accept: 'text/event-stream',
      body: request,
      ...callOf(options),
    });
    const taskId = response.headers.get('x-task-id');
    if (!taskId) {
      await response.body?.cancel();
      throw new ConnectionError(
        { method: 'POST', path: '/orchestrate/stream' },
        new Error('the answer named no task (X-Task-Id): not the Switchboard gateway?'),
      );
    }
    return new TaskEventStream(this.transport, taskId, response, 0, this.streamOptions(options));
  }

  /**
   * A task's events (`GET /tasks/{id}/events`): the stored ones from the first (or after `after`, the
   * seq of the last one you have), then the live ones until the task ends, resuming by itself after a
   * dropped connection. An ended task's stream you have read to its end answers no event.
   */
  async events(
    taskId: string,
    options: StreamOptions & { after?: number } = {},
  ): Promise<TaskEventStream> {
    const after = options.after ?? 0;
    const response = await this.transport.open({
      method: 'GET',
      path: pathOf`tasks/${taskId}/events`,
      accept: 'text/event-stream',
      headers: after > 0 ? { 'last-event-id': String(after) } : {},
      ...callOf(options),
    });
    return new TaskEventStream(
      this.transport,
      taskId,
      response,
      after,
      this.streamOptions(options),
    );
  }

  /** A task with its steps, origin, verdict and runs; `{taskId, status: 'queued'}` before it is picked up. */
  get(taskId: string, options: CallOptions = {}): Promise<TaskView | QueuedTaskView> {
    return this.transport.send('GET', pathOf`tasks/${taskId}`, options);
  }

  /** The caller's tasks, newest first (admins: the tenant's), one page; pass `nextBefore` as `before`. */
  list(query: TaskListQuery = {}, options: CallOptions = {}): Promise<TaskListResponse> {
    const { status, ...rest } = query;
    return this.transport.send('GET', 'tasks', options, {
      query: { status: typeof status === 'string' ? [status] : status, ...rest },
    });
  }

  /**
   * Asks a task to stop (`POST /tasks/{id}/cancel`): `cancelRequested: false` when it had ended.
   * Harmless to repeat, so retried like a read.
   */
  cancel(taskId: string, reason?: string, options: CallOptions = {}): Promise<CancelAccepted> {
    return this.transport.send('POST', pathOf`tasks/${taskId}/cancel`, options, {
      body: reason === undefined ? {} : { reason },
      repeatable: true,
    });
  }

  /** Replays an ended task from its record (nothing is called; it ends with a verdict). */
  replay(taskId: string, options: CallOptions = {}): Promise<RunAccepted> {
    return this.transport.send('POST', pathOf`tasks/${taskId}/replay`, options, { body: {} });
  }

  /** Forks an ended task at a step or planning round, optionally with edits, live from there. */
  fork(taskId: string, request: ForkRequest, options: CallOptions = {}): Promise<RunAccepted> {
    return this.transport.send('POST', pathOf`tasks/${taskId}/fork`, options, { body: request });
  }

  /** Where two runs differ: decisions, steps, answers, tokens, cost, time. */
  diff(a: string, b: string, options: CallOptions = {}): Promise<TaskDiffView> {
    return this.transport.send('GET', pathOf`tasks/${a}/diff/${b}`, options);
  }

  private streamOptions(options: StreamOptions): ConstructorParameters<typeof TaskEventStream>[4] {
    const reconnect = { ...this.reconnect, ...options.reconnect };
    return { ...(options.signal ? { signal: options.signal } : {}), reconnect };
  }
}

/** The call options of a stream's first request (its reconnect options are the stream's). */
function callOf(options: StreamOptions): CallOptions {
  return {
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
}
