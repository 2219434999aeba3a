import { Tasks } from '@switchboard/contracts';

/** How much of the live events a replica holds, and for how long. */
export interface TaskLogBufferLimits {
  /** Most tasks held at once: past it, the one heard from least recently is dropped. */
  maxTasks: number;
  /** Most events held of one task: past it, the task is dropped (its log is read from the journal). */
  maxEventsPerTask: number;
  /** A task not heard from for this long is dropped (an end that never comes, a long approval). */
  idleExpiryMs: number;
  /**
   * How long a task is still held after its terminal event, for its end record to arrive: a replica
   * that did not chain the end never takes it, and drops it then.
   */
  endGraceMs: number;
}

export const TASK_LOG_BUFFER_LIMITS: TaskLogBufferLimits = {
  maxTasks: 10_000,
  maxEventsPerTask: 2_000,
  idleExpiryMs: 15 * 60_000,
  endGraceMs: 30_000,
};

interface Held {
  events: Map<number, Tasks.TaskEvent>;
  /** The seq of the task's terminal event, once heard. */
  lastSeq?: number;
  heardAt: number;
  endedAt?: number;
}

/**
 * The live events of the tasks in flight, held per task until the task's end record is chained (then
 * the log is written from here when it is complete, from the journal otherwise) or dropped. Live
 * publishes are at most once, so what is held may have gaps: `complete` says whether seqs 1..the
 * terminal event's are all here.
 */
export class TaskLogBuffer {
  private readonly tasks = new Map<string, Held>();
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Tasks dropped before their end was chained (cap, size, expiry), for the metrics. */
  dropped = 0;

  constructor(
    private readonly limits: TaskLogBufferLimits = TASK_LOG_BUFFER_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Tasks held. */
  get size(): number {
    return this.tasks.size;
  }

  /** Holds the events of one live message (any task's). */
  offer(events: readonly Tasks.TaskEvent[]): void {
    for (const event of events) this.hold(event);
    for (const taskId of new Set(events.map((e) => e.taskId))) {
      if (!this.complete(taskId)) continue;
      for (const wake of this.waiters.get(taskId) ?? []) wake();
    }
  }

  /** Whether the task's events 1..its terminal event's seq are all held. */
  complete(taskId: string): boolean {
    const held = this.tasks.get(taskId);
    if (held?.lastSeq === undefined || held.events.size < held.lastSeq) return false;
    for (let seq = 1; seq <= held.lastSeq; seq++) if (!held.events.has(seq)) return false;
    return true;
  }

  /** Whether anything of the task is held. */
  holds(taskId: string): boolean {
    return this.tasks.has(taskId);
  }

  /**
   * Resolves true once the task is complete, false after `timeoutMs` without it (its terminal event
   * may come just after its end record: it is published once the task's slot is free).
   */
  whenComplete(taskId: string, timeoutMs: number): Promise<boolean> {
    if (this.complete(taskId)) return Promise.resolve(true);
    if (timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const set = this.waiters.get(taskId) ?? new Set<() => void>();
      this.waiters.set(taskId, set);
      const done = (ok: boolean) => {
        clearTimeout(timer);
        set.delete(wake);
        if (!set.size) this.waiters.delete(taskId);
        resolve(ok);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), timeoutMs);
      set.add(wake);
    });
  }

  /** The task's held events in seq order, no longer held. */
  take(taskId: string): Tasks.TaskEvent[] {
    const held = this.tasks.get(taskId);
    this.tasks.delete(taskId);
    return held ? [...held.events.values()].sort((a, b) => a.seq - b.seq) : [];
  }

  /** Drops the tasks past their grace after the end, or idle past expiry; returns how many. */
  sweep(): number {
    const now = this.now();
    let n = 0;
    for (const [taskId, held] of this.tasks) {
      const ended = held.endedAt !== undefined && now - held.endedAt >= this.limits.endGraceMs;
      if (!ended && now - held.heardAt < this.limits.idleExpiryMs) continue;
      this.tasks.delete(taskId);
      // An ended task nobody took is another replica's (it chained the end): not a loss.
      if (!ended) this.dropped++;
      n++;
    }
    return n;
  }

  private hold(event: Tasks.TaskEvent): void {
    const now = this.now();
    let held = this.tasks.get(event.taskId);
    if (held) {
      // Most recently heard last: the cap drops the one heard from least recently.
      this.tasks.delete(event.taskId);
    } else {
      held = { events: new Map(), heardAt: now };
      if (this.tasks.size >= this.limits.maxTasks) this.dropOldest();
    }
    this.tasks.set(event.taskId, held);
    held.heardAt = now;
    if (held.events.size >= this.limits.maxEventsPerTask && !held.events.has(event.seq)) {
      // Too long a task to hold: its log comes from the journal (what follows starts a gap).
      this.tasks.delete(event.taskId);
      this.dropped++;
      return;
    }
    held.events.set(event.seq, event);
    if (Tasks.isTerminalTaskEvent(event)) {
      held.lastSeq = event.seq;
      held.endedAt = now;
    }
  }

  private dropOldest(): void {
    const oldest = this.tasks.keys().next().value;
    if (oldest === undefined) return;
    this.tasks.delete(oldest);
    this.dropped++;
  }
}
