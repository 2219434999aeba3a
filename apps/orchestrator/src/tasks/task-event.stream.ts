import { type Agents, type Audit, Tasks } from '@switchboard/contracts';
import { type Logger, traceparentOf } from '@switchboard/observability';
import type { JournalPort } from './journal/task-journal.js';
import {
  type JournalCounts,
  type JournalCte,
  type JournalEntry,
  journaledOf,
  type JournalOwner,
  type JournalWrites,
} from './journal/task-journal.repository.js';

/**
 * How long emitted events may wait for the commit they ride with before they are journaled in a
 * statement of their own: a model call, a slow tool or a delegation's progress is seen live within
 * about this, while the fast steps of a task add no transaction for their events.
 */
export const LIVE_FLUSH_MS = 1_000;

/**
 * The pending events (and deferred writes) a statement takes: it adds `writes()` to itself and
 * reports its answer with `committed()` once it returned (its transaction committed).
 */
export class JournalBatch {
  private result: JournalCounts | undefined;

  constructor(
    readonly entry: JournalEntry,
    private readonly port: JournalPort,
  ) {}

  /** The common table expressions and answer columns to add; `gate`: written only if it has a row. */
  writes(gate?: string): JournalWrites {
    return this.port.writes(this.entry, gate);
  }

  /** The statement committed, answering `row` (its "journaled" and "webhooksDue" columns). */
  committed(row: JournalCounts): void {
    this.result = journaledOf(row);
  }

  get counts(): JournalCounts | undefined {
    return this.result;
  }
}

/** A statement that may take the pending events: with `undefined` when none are pending. */
export type JournaledStatement<T> = (batch: JournalBatch | undefined) => Promise<T>;

/**
 * The events of one task, numbered 1, 2, 3… without gaps, journaled (TaskEvent) in the transaction
 * of the step or transition that makes them due: what is emitted waits here until the next statement
 * of the task takes it (`commit`: a claim, a planning round, a step, a pause, the end), and only once
 * that statement has committed are its events published live on core NATS (TaskEventPublisher) and
 * the webhook deliveries they made due sent. A statement that fails journals nothing and publishes
 * nothing: its events wait for the next one, so the journal stays gap-free. Events that would wait
 * long (no commit within LIVE_FLUSH_MS: a model call, a delegation) are journaled by a statement of
 * their own (`flush`). Statements of one sequence run one at a time, in seq order. An event that
 * fails its contract (a string over its limit…) is journaled reduced to fit (Tasks.fitTaskEvent):
 * clients release events strictly in seq order, and a missing seq would hold back every later one.
 */
export class TaskEventSequence {
  private seq: number;
  private pending: Tasks.TaskEvent[] = [];
  private deferred: JournalCte[] = [];
  /** Audit records owed, stored (JournalOutbox) by the next statement that journals. */
  private owed: Audit.AuditRecordInput[] = [];
  /** The statement under way (statements of the sequence run one after another). */
  private tail: Promise<unknown> = Promise.resolve();
  /** While held, committed events are kept here and published by release(). */
  private held: JournalEntry[] | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Who also hears each event as it is emitted (a step recording what it reported). */
  private readonly taps = new Set<(event: Tasks.TaskEvent) => void>();
  /** The agent version the task runs: on every event from the start on (runsAs). */
  private agentVersion: Agents.AgentVersionRef | undefined;

  constructor(
    readonly taskId: string,
    lastSeq: number,
    private readonly source: string,
    private readonly journal: JournalPort,
    private readonly owner: JournalOwner,
    private readonly logger?: Pick<Logger, 'warn'>,
    private readonly liveFlushMs = LIVE_FLUSH_MS,
  ) {
    this.seq = lastSeq;
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** Emitted events no statement has journaled yet. */
  get unjournaled(): number {
    return this.pending.length;
  }

  /** Every event from now on names the agent version the task runs (`agentVersion`). */
  runsAs(stamp: Agents.AgentStamp | undefined): void {
    this.agentVersion = stamp
      ? { agent: stamp.agent, version: stamp.version, versionId: stamp.versionId }
      : undefined;
  }

  /** Calls `listener` with every event emitted from now on, until the returned function is called. */
  tap(listener: (event: Tasks.TaskEvent) => void): () => void {
    this.taps.add(listener);
    return () => this.taps.delete(listener);
  }

  emit<N extends Tasks.TaskEventName>(
    name: N,
    data: Tasks.TaskEventPayload<N>,
    message?: string,
  ): void {
    const event = {
      taskId: this.taskId,
      seq: ++this.seq,
      name,
      at: new Date().toISOString(),
      source: this.source,
      ...(message ? { message } : {}),
      ...(this.agentVersion ? { agentVersion: this.agentVersion } : {}),
      data: roundedDuration(data),
    } as Tasks.TaskEvent;
    this.pending.push(event);
    for (const listener of this.taps) listener(event);
    this.timer ??= setTimeout(() => this.flushLate(), this.liveFlushMs).unref();
  }

  /**
   * What is pending goes out now (a statement of its own, at the end of this turn of the event loop)
   * instead of after LIVE_FLUSH_MS: for progress that says something to whoever watches — a remote
   * agent's status — while nothing else will commit for as long as the other side takes.
   */
  goLive(): void {
    if (!this.pending.length) return;
    this.clearTimer();
    this.timer = setTimeout(() => this.flushLate(), 0).unref();
  }

  /**
   * A write (an INSERT … RETURNING, as a common table expression) that waits for the next statement
   * of the task and commits with it: what may be lost with the replica and done again the same way.
   */
  defer(name: string, sql: JournalCte['sql']): void {
    this.deferred = [...this.deferred.filter((d) => d.name !== name), { name, sql }];
  }

  /**
   * An audit record the task owes, stored by the next statement that journals (with its events, in
   * its transaction) and relayed to the audit service after it committed: never lost with the
   * replica, never sent for a transition that did not happen.
   */
  owe(record: Audit.AuditRecordInput): void {
    this.owed.push(record);
  }

  /**
   * Runs `statement` with what is pending (it adds `batch.writes()` and reports `batch.committed()`),
   * then publishes the events it journaled. What it did not journal — it threw, or its gate had no
   * row (the transition did not move) — stays pending, in order, for the next statement.
   */
  commit<T>(statement: JournaledStatement<T>): Promise<T> {
    const run = this.tail.then(() => this.run(statement));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Journals what is pending in a statement of its own (nothing when nothing is). */
  async flush(): Promise<void> {
    await this.commit(async (batch) => {
      if (batch) batch.committed(await this.journal.write(batch.entry));
    });
  }

  /** Until release(), what commits is journaled but not published (e.g. until a slot is freed). */
  hold(): void {
    this.held ??= [];
  }

  /** Publishes what was held, in order. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    // (the audit records they owed were relayed when they committed)
    for (const entry of held)
      this.journal.committed({ ...entry, audit: [] }, { journaled: true, webhooksDue: 0 });
  }

  /**
   * Drops what is pending and continues after `lastSeq`: a claim found the task started before, so
   * what was emitted for a new task is not its (the journal has its own events).
   */
  restart(lastSeq: number): void {
    this.pending = [];
    this.deferred = [];
    this.owed = [];
    this.seq = lastSeq;
    this.clearTimer();
  }

  private async run<T>(statement: JournaledStatement<T>): Promise<T> {
    const batch = this.take();
    if (!batch) return statement(undefined);
    let result: T;
    try {
      result = await statement(batch);
    } catch (e) {
      this.putBack(batch.entry, true);
      throw e;
    }
    const counts = batch.counts;
    if (!counts?.journaled) {
      // Its deferred writes ran (unconditionally) if it committed at all.
      this.putBack(batch.entry, counts === undefined);
      return result;
    }
    if (this.held) {
      this.held.push(batch.entry);
      // What the commit made due (deliveries, audit records) goes out now; its events wait.
      // (with whether it ended the task: its records must not wait for a later commit)
      const ending = batch.entry.events.some((e) => Tasks.isTerminalTaskEvent(e));
      if (counts.webhooksDue > 0 || counts.auditIds?.length)
        this.journal.committed({ ...batch.entry, events: [] }, counts, ending);
    } else this.journal.committed(batch.entry, counts);
    return result;
  }

  /** What is pending, fitted to its contracts, for one statement. */
  private take(): JournalBatch | undefined {
    if (!this.pending.length && !this.deferred.length && !this.owed.length) return undefined;
    const events = this.pending.map((e) => this.fit(e));
    const { deferred, owed: audit } = this;
    this.pending = [];
    this.deferred = [];
    this.owed = [];
    this.clearTimer();
    const entry: JournalEntry = {
      taskId: this.taskId,
      owner: this.owner,
      events,
      deferred,
      audit,
      traceparent: traceparentOf(),
    };
    return new JournalBatch(entry, this.journal);
  }

  private putBack(entry: JournalEntry, withDeferred: boolean): void {
    this.pending = [...entry.events, ...this.pending];
    this.owed = [...(entry.audit ?? []), ...this.owed];
    if (withDeferred)
      this.deferred = [
        ...entry.deferred.filter((d) => !this.deferred.some((n) => n.name === d.name)),
        ...this.deferred,
      ];
    if (this.pending.length)
      this.timer ??= setTimeout(() => this.flushLate(), this.liveFlushMs).unref();
  }

  private flushLate(): void {
    this.timer = undefined;
    this.flush().catch((err: unknown) =>
      this.logger?.warn(
        { taskId: this.taskId, err },
        'could not journal task events yet; the next commit takes them',
      ),
    );
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** `event` as it is when valid, else reduced to fit its contract. */
  private fit(event: Tasks.TaskEvent): Tasks.TaskEvent {
    const checked = Tasks.TaskEvent.safeParse(event);
    if (checked.success) return event;
    const fitted = Tasks.fitTaskEvent(event);
    this.logger?.warn(
      {
        taskId: event.taskId,
        seq: event.seq,
        event: event.name,
        err: checked.error,
        reduced: !!fitted,
      },
      'task event broke its contract; journaling it reduced',
    );
    // None fits even reduced (a programming error): journaled as it is, its readers log it.
    return fitted ?? event;
  }
}

/**
 * Every task event reports its duration to 0.1 ms (docs/api.md): rounded here, where every event of
 * a task passes, so no emitter can forget it.
 */
function roundedDuration<T>(data: T): T {
  if (typeof data !== 'object' || data === null || !('durationMs' in data)) return data;
  const { durationMs } = data as { durationMs: unknown };
  return typeof durationMs === 'number'
    ? { ...data, durationMs: Tasks.roundDurationMs(durationMs) }
    : data;
}
