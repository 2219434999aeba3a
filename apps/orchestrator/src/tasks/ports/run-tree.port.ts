import type { Actor, Tasks } from '@switchboard/contracts';

/**
 * A port of the task core: the runs made of a task — its replays and forks, the next level of its
 * run tree (docs/replay.md) — which a task's view lists. The replay feature plugs in (it keeps the
 * records and their runs). A plug-in answers only the runs `actor` may read (its own, or its
 * tenant's as an admin), oldest first, and an empty list for a task nothing was made of.
 */
export interface RunTree {
  runsOf(taskId: string, actor: Actor): Promise<Tasks.RunSummary[]>;
}

export const RUN_TREE = Symbol('RUN_TREE');
