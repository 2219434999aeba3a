import type { Actor, Tasks } from '@switchboard/contracts';
import type { Outcome } from './task-run.view.js';

/** A live task whose end is committed, as its observers are told of it. */
export interface EndedTask {
  submission: Tasks.TaskSubmission;
  /** The task text as it was stored (a placeholder when the input guardrail blocked it). */
  text: string;
  outcome: Outcome;
}

/** A task that holds nothing any more: what an observer may have kept for it can go to the next one. */
export interface ReleasedTask {
  taskId: string;
  /** Unknown for a dead-lettered submission that fails its contract. */
  actor?: Pick<Actor, 'userId' | 'tenantId'> | undefined;
  threadId?: string | undefined;
}

/**
 * A port of the task core: features told when a task ends, in two moments around the freeing of its
 * concurrentTasks slot — `ended` after its end is committed and before the slot is freed (what the
 * next task must see, e.g. the thread's turns), `released` after it (hand over what the task held,
 * e.g. its thread, to the next task). `released` is also told of a task found ended again after a
 * crash and of a dead-lettered submission. A replay or fork (a run beside the conversation) is told
 * to no observer. The threads feature plugs in (threads/thread.observer.ts); app.module lists the
 * observers, and each moment calls them one after the other in that order, each awaited.
 *
 * An observer never throws into the end of a task: its failure is its own to log.
 */
export interface TaskObserver {
  ended?(task: EndedTask): Promise<void>;
  released?(task: ReleasedTask): Promise<void>;
}

export const TASK_OBSERVERS = Symbol('TASK_OBSERVERS');

/** Tells every observer, in order, that the task's end is committed. */
export async function observeEnded(
  observers: readonly TaskObserver[],
  task: EndedTask,
): Promise<void> {
  for (const observer of observers) await observer.ended?.(task);
}

/** Tells every observer, in order, that the task holds nothing any more. */
export async function observeReleased(
  observers: readonly TaskObserver[],
  task: ReleasedTask,
): Promise<void> {
  for (const observer of observers) await observer.released?.(task);
}
