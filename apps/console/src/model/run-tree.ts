import type { Tasks } from '@switchboard/contracts';
import { forkPointWords, verdictWords } from './replay';

export type RunSummary = Tasks.RunSummary;

const ENDED = new Set(['completed', 'failed', 'cancelled']);

/** Whether a task's status is final (a run still queued or running may change). */
export const hasEnded = (status: string): boolean => ENDED.has(status);

/** One replay or fork in the tree under a task, with what the page says of it. */
export interface RunNode {
  run: RunSummary;
  /** The task it replays or forks (the diff's "original"). */
  parentId: string;
  depth: number;
  /** "replay", or "fork from step 2". */
  label: string;
  /** A replay's verdict as a badge: "identical", "diverged at step 1". */
  verdict?: { identical: boolean; badge: string; text: string };
  /** Its own replays and forks: undefined while not opened (or not loaded yet). */
  children?: RunNode[];
  /** It is opened and its runs are being read. */
  loading: boolean;
  open: boolean;
}

/** What the page has read of the tree: the runs of each task read so far (`runs` of GET /tasks/{id}). */
export type LoadedRuns = ReadonlyMap<string, readonly RunSummary[]>;

/**
 * The tree of replays and forks under `rootId`, as far as it is opened: each task's runs (oldest first,
 * as the API lists them) under it, and an opened run's own runs under that once they are read. A task
 * met twice on a path (which the API never answers) is not expanded again.
 */
export function buildRunTree(
  rootId: string,
  loaded: LoadedRuns,
  open: ReadonlySet<string>,
): RunNode[] {
  const walk = (parentId: string, depth: number, path: ReadonlySet<string>): RunNode[] =>
    (loaded.get(parentId) ?? []).map((run) => {
      const isOpen = open.has(run.taskId) && !path.has(run.taskId);
      const runs = loaded.get(run.taskId);
      const below = new Set(path).add(run.taskId);
      return {
        run,
        parentId,
        depth,
        label: runLabel(run),
        ...(run.verdict ? { verdict: verdictWords(run.verdict) } : {}),
        ...(isOpen && runs ? { children: walk(run.taskId, depth + 1, below) } : {}),
        loading: isOpen && !runs,
        open: isOpen,
      };
    });
  return walk(rootId, 0, new Set([rootId]));
}

/** "replay", "fork from step 2", "fork from planning round 1". */
export function runLabel(run: Pick<RunSummary, 'kind' | 'from'>): string {
  if (run.kind === 'replay') return 'replay';
  return run.from ? `fork from ${forkPointWords(run.from)}` : 'fork';
}

/**
 * The tasks whose runs should be read again: those listing a run that has not ended yet (its status
 * and verdict will change). Only tasks shown: the root, and opened runs.
 */
export function stillRunning(
  rootId: string,
  loaded: LoadedRuns,
  open: ReadonlySet<string>,
): string[] {
  return [rootId, ...open].filter((id) => (loaded.get(id) ?? []).some((r) => !hasEnded(r.status)));
}

/** How many runs the tree shows (for its heading), opened levels included. */
export function countRuns(nodes: readonly RunNode[]): number {
  return nodes.reduce((n, node) => n + 1 + countRuns(node.children ?? []), 0);
}
