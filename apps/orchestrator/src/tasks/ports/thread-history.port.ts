import type { ThreadTurn } from '../../planning/planner.js';

/** Whose thread a task belongs to (its submitter, in their tenant). */
export interface ThreadOwner {
  tenantId: string;
  userId: string;
}

/**
 * A port of the task core: the earlier turns of the task's thread (`thread_id`), which the LLM planner
 * plans with as the conversation so far. Read once per live run, alongside the tool manifest (not
 * after it, as the planning context is): a thread's history costs the task no latency of its own.
 * The threads feature plugs in (threads/thread-history.service.ts, bound in app.module); the task
 * core imports none of it. A replay or fork plans with its record's history and does not ask.
 *
 * A plug-in answers the turns oldest first, whole exchanges only (never a reply without its
 * question), and none for a task without a thread.
 */
export interface ThreadHistory {
  load(owner: ThreadOwner, threadId: string | undefined, taskId: string): Promise<ThreadTurn[]>;
}

export const THREAD_HISTORY = Symbol('THREAD_HISTORY');
