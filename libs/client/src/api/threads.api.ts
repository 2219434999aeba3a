import type { TaskEventStream } from '../core/task-event.stream.js';
import type { CallOptions } from '../core/transport.js';
import type {
  TaskAccepted,
  TaskAnswer,
  TaskRequest,
  TaskWaitingAnswer,
  ThreadPolicy,
} from '../wire.js';
import type { StreamOptions, TasksApi } from './tasks.api.js';

/** A message of a thread: the task's text, or the whole request (its `thread_*` fields are the thread's). */
export type ThreadMessage = string | Omit<TaskRequest, 'thread_id' | 'thread_policy'>;

/**
 * One conversation (docs/api.md, "Threads"): its earlier tasks are the planner's history, and it runs
 * one task at a time. `policy` says what a message does while the thread is busy — `reject` (409
 * naming the running task), `enqueue`, `interrupt` or `rollback`; without it the orchestrator's
 * THREAD_POLICY_DEFAULT (enqueue) applies.
 */
export class Thread {
  constructor(
    private readonly tasks: TasksApi,
    readonly id: string,
    readonly policy?: ThreadPolicy,
  ) {}

  /** Sends a message and waits for its answer (see `tasks.run`). */
  run(message: ThreadMessage, options?: CallOptions): Promise<TaskAnswer | TaskWaitingAnswer> {
    return this.tasks.run(this.request(message), options);
  }

  /** Sends a message and answers at once (see `tasks.submit`). */
  submit(message: ThreadMessage, options?: CallOptions): Promise<TaskAccepted> {
    return this.tasks.submit(this.request(message), options);
  }

  /** Sends a message and streams its task's events (see `tasks.stream`). */
  stream(message: ThreadMessage, options?: StreamOptions): Promise<TaskEventStream> {
    return this.tasks.stream(this.request(message), options);
  }

  /** The same thread under another policy. */
  withPolicy(policy: ThreadPolicy): Thread {
    return new Thread(this.tasks, this.id, policy);
  }

  private request(message: ThreadMessage): TaskRequest {
    const base = typeof message === 'string' ? { task: message } : message;
    return { ...base, thread_id: this.id, ...(this.policy ? { thread_policy: this.policy } : {}) };
  }
}
