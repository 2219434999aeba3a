import type { Tasks } from '@switchboard/contracts';

/**
 * A port of the task core: what pausing and cancelling a task need from the decisions it waits for
 * (approvals, docs/approvals.md). A task waiting for decisions is held by no replica — its row says
 * `waiting_approval` and its message is acked — so whoever decides last, and the pauser itself, put
 * it back on the work queue. The approvals feature plugs in here (app.module binds it); the core
 * imports none of it.
 *
 * A plug-in must: make two resubmits of the same state one (decider and pauser may both see nothing
 * pending); in `cancel`, cancel the pending decisions before it resubmits the task, and resubmit it
 * only when it was waiting (a running task hears the cancel on the bus).
 */
export interface PendingDecisions {
  /**
   * Called after the task's pause is stored: submits it again if none of its decisions is pending
   * any more (one came while it was pausing). True if it did.
   */
  resumeIfDecided(taskId: string): Promise<boolean>;
  /**
   * Called after a cancel is stored and announced: cancels the task's pending decisions, as `userId`,
   * and submits a waiting task again, so its run ends it as cancelled.
   */
  cancel(task: Pick<Tasks.TaskView, 'taskId' | 'status'>, userId: string): Promise<void>;
}

export const PENDING_DECISIONS = Symbol('PENDING_DECISIONS');
