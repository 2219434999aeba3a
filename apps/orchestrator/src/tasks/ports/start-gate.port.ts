import type { Tasks } from '@switchboard/contracts';

/**
 * A port of the task core: asked before a delivered task is started (claimed), whether it may start
 * now. A gate that says no has taken the submission into its keeping (stored, the delivery is acked)
 * and owes the task a new submission when its turn comes: the core does nothing more with it. Until
 * its claim the task's row (`waiting_thread`, then `queued` once its turn came) has no text — the
 * input guardrail screens it at the claim — so reads of it ask the gate for its submission.
 *
 * The threads feature plugs in (threads/wait-for-thread: a task behind an earlier task of its thread
 * waits), bound in app.module; the task core imports none of it. One gate, not a list: a gate that
 * holds a task owns its stored submission and its resubmission, and two gates would have to agree on
 * who lets it go.
 */
export interface StartGate {
  /** True if the task may start now; false if the gate holds it (nothing else to do). */
  mayRun(submission: Tasks.TaskSubmission): Promise<boolean>;
  /** The submission of a task the gate holds (undefined: it holds none by that id). */
  waiting(taskId: string): Promise<Tasks.TaskSubmission | undefined>;
  /**
   * The held task was cancelled (stored on its row, or as a queued cancellation when it has none):
   * the gate lets it go at once, so that its claim ends it as cancelled rather than when its turn
   * comes. Nothing for a task it does not hold.
   */
  letCancelledGo(taskId: string): Promise<void>;
}

export const START_GATE = Symbol('START_GATE');
