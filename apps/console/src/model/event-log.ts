import type { Tasks } from '@switchboard/contracts';
import type { KeyValueStore } from '../api/session';

export type TaskEvent = Tasks.TaskEvent;

const TERMINAL = new Set([
  'orchestrator.task.completed',
  'orchestrator.task.failed',
  'orchestrator.task.cancelled',
]);

export const isTerminal = (e: Pick<TaskEvent, 'name'>): boolean => TERMINAL.has(e.name);

/**
 * One task's events in seq order, each once. The stream delivers them gap-free from `lastSeq + 1`;
 * an event at or below `lastSeq` is a repeat and is dropped, one past the next is a gap the caller
 * repairs by resuming from `lastSeq`.
 */
export class EventLog {
  private readonly list: TaskEvent[];

  constructor(initial: readonly TaskEvent[] = []) {
    this.list = [];
    for (const e of initial) if (this.add(e) !== 'added') break;
  }

  get events(): readonly TaskEvent[] {
    return this.list;
  }

  get lastSeq(): number {
    return this.list[this.list.length - 1]?.seq ?? 0;
  }

  get ended(): boolean {
    const last = this.list[this.list.length - 1];
    return last !== undefined && isTerminal(last);
  }

  add(e: TaskEvent): 'added' | 'repeat' | 'gap' {
    if (e.seq <= this.lastSeq) return 'repeat';
    if (e.seq !== this.lastSeq + 1) return 'gap';
    this.list.push(e);
    return 'added';
  }
}

const keyOf = (taskId: string) => `switchboard-console:events:${taskId}`;

/**
 * The events the page already has of a task, kept in sessionStorage so a reload resumes the stream
 * after them (Last-Event-ID) instead of fetching them again. A store that is full drops the copy: the
 * page then replays the task from its first event, still without gaps or repeats.
 */
export function loadEvents(store: KeyValueStore, taskId: string): TaskEvent[] {
  try {
    const raw = store.getItem(keyOf(taskId));
    const parsed = raw ? (JSON.parse(raw) as unknown) : [];
    return Array.isArray(parsed) ? new EventLog(parsed as TaskEvent[]).events.slice() : [];
  } catch {
    return [];
  }
}

export function saveEvents(
  store: KeyValueStore,
  taskId: string,
  events: readonly TaskEvent[],
): void {
  try {
    store.setItem(keyOf(taskId), JSON.stringify(events));
  } catch {
    store.removeItem(keyOf(taskId));
  }
}

export function forgetEvents(store: KeyValueStore, taskId: string): void {
  store.removeItem(keyOf(taskId));
}
