import type { Actor } from '@switchboard/contracts';

/** A task as its submission names it (a dead-lettered one may name no valid actor). */
export interface SlotHolder {
  taskId: string;
  actor?: Pick<Actor, 'userId' | 'tenantId'> | undefined;
}

/**
 * A port of the task core: the slot a task was admitted with and holds while it runs — the tenant's
 * `concurrentTasks` quota (quotas/task-slots.ts) plugs in. The core holds it while the task runs in
 * this replica (from after its start until its loop ends or pauses), and releases it when the task
 * ends, and when a dead-lettered submission is failed.
 *
 * A plug-in never throws into the task: `release` is idempotent (a task delivered again after it
 * ended releases once more) and a lost release or renewal is mended on its side.
 */
export interface RunSlot {
  /** Keeps the slot while the task runs here (`resumed`: it ran before); returns what stops keeping it. */
  hold(task: SlotHolder, resumed: boolean): () => void;
  /** Frees the slot: the task ended (or its submission was dead-lettered). */
  release(task: SlotHolder): Promise<void>;
}

export const RUN_SLOT = Symbol('RUN_SLOT');
