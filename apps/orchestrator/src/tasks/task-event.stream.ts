import { DEFAULT_TENANT, isDomainError, Tasks } from '@switchboard/contracts';
import {
  type BackoffSettings,
  type JetStreamService,
  retryWithBackoff,
} from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';

/** Waits between attempts to store what is still pending: from ~100 ms, doubling, capped at 2 s. */
const FLUSH_BACKOFF: BackoffSettings = { initialDelayMs: 100, maxDelayMs: 2_000 };
/** How long flush() keeps trying before the task is left to its redelivery (longer than an outage). */
export const FLUSH_PATIENCE_MS = 30_000;

/** Events that fit no contract, not even reduced: publishing them again cannot help. */
class EventsRefused extends Error {
  constructor(taskId: string, seqs: number[]) {
    super(`event(s) ${seqs.join(', ')} of task ${taskId} fit no contract`);
    this.name = 'EventsRefused';
  }
}

/** How a publish ended: stored, failed in transport (retry), or refused even in its reduced form. */
type Published = 'stored' | 'retry' | 'refused';

/** A batch of consecutive events published as one stored message. */
interface Batch {
  events: Tasks.TaskEvent[];
  done: Promise<Published>;
}

/**
 * The events of one task, numbered 1, 2, 3… without gaps. What the task emits in one moment of its
 * run — everything up to the end of the event loop's current turn: a step dispatched and sent, a step
 * answered and stored — is stored as one message (a TaskEventBatch, on the subject of its last
 * event): a message, an acknowledgement and two deliveries per moment instead of per event. Publishes
 * are pipelined (NATS keeps their order on the connection) and `flush()` waits until every batch is
 * stored, re-publishing any that failed in transport (Nats-Msg-Id = taskId:firstSeq-lastSeq
 * de-duplicates). A batch over the server's max_payload is stored in halves. An event that fails its
 * contract (a string over its limit…) is never retried as it is: its seq gets the event reduced to fit
 * (Tasks.fitTaskEvent), since clients release events strictly in seq order and a missing seq would hold
 * back every later event forever.
 */
export class TaskEventSequence {
  private seq: number;
  /** Emitted in this turn of the event loop, published together at its end. */
  private outbox: Tasks.TaskEvent[] = [];
  private sendScheduled = false;
  /** Published and not yet known to be stored, by first seq. */
  private readonly pending = new Map<number, Batch>();
  /** Who also hears each event as it is emitted (a step recording what it reported). */
  private readonly taps = new Set<(event: Tasks.TaskEvent) => void>();

  constructor(
    private readonly taskId: string,
    lastSeq: number,
    private readonly source: string,
    private readonly jetstream: JetStreamService,
    private readonly logger?: Pick<Logger, 'warn'>,
    /** The task's tenant, named in the subject so NATS can keep tenants apart (docs/tenancy.md). */
    private readonly tenantId: string = DEFAULT_TENANT,
  ) {
    this.seq = lastSeq;
  }

  get lastSeq(): number {
    return this.seq;
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
      data: roundedDuration(data),
    } as Tasks.TaskEvent;
    this.outbox.push(event);
    for (const listener of this.taps) listener(event);
    if (this.sendScheduled) return;
    this.sendScheduled = true;
    setImmediate(() => this.send());
  }

  /**
   * Resolves once every emitted event is stored, publishing again (capped backoff) what failed in
   * transport, for up to FLUSH_PATIENCE_MS (a NATS outage or restart). Throws when that runs out, or
   * at once if an event cannot be stored at all (not even reduced: a programming error).
   */
  async flush(): Promise<void> {
    this.send();
    const started = Date.now();
    await retryWithBackoff(
      async (attempt) => {
        if (attempt > 0)
          for (const [first, b] of this.pending)
            this.pending.set(first, { ...b, done: this.publish(b.events) });
        const entries = [...this.pending.entries()];
        const results = await Promise.all(entries.map(([, b]) => b.done));
        entries.forEach(([first], i) => {
          if (results[i] === 'stored') this.pending.delete(first);
        });
        const refused = entries
          .filter((_, i) => results[i] === 'refused')
          .flatMap(([, b]) => b.events.map((e) => e.seq));
        if (refused.length) throw new EventsRefused(this.taskId, refused);
        const left = [...this.pending.values()].reduce((n, b) => n + b.events.length, 0);
        if (left > 0) throw new Error(`could not store ${left} event(s) of task ${this.taskId}`);
      },
      {
        backoff: FLUSH_BACKOFF,
        retryIf: (e) => !(e instanceof EventsRefused),
        until: () => started + FLUSH_PATIENCE_MS,
      },
    );
  }

  /** Publishes what was emitted since the last send (batchesOf: the messages it makes). */
  private send(): void {
    this.sendScheduled = false;
    const events = this.outbox;
    if (events.length === 0) return;
    this.outbox = [];
    for (const batch of batchesOf(events))
      this.pending.set(batch[0]?.seq ?? 0, { events: batch, done: this.publish(batch) });
  }

  private async publish(events: Tasks.TaskEvent[]): Promise<Published> {
    try {
      await this.store(events);
      return 'stored';
    } catch (e) {
      if (isDomainError(e) && e.code === 'PAYLOAD_TOO_LARGE' && events.length > 1) {
        const half = Math.ceil(events.length / 2);
        const first = await this.publish(events.slice(0, half));
        return first === 'stored' ? this.publish(events.slice(half)) : first;
      }
      // Anything but a contract failure happened on the way to the stream: worth another try.
      if (!isDomainError(e) || e.code !== 'VALIDATION') return 'retry';
      const fitted = events.map((event) => this.fit(event, e));
      if (fitted.some((f) => f === undefined)) return 'refused';
      return this.store(fitted as Tasks.TaskEvent[]).then(
        () => 'stored' as const,
        () => 'retry' as const,
      );
    }
  }

  /** `event` as it is when valid, else reduced to fit its contract (undefined when it cannot be). */
  private fit(event: Tasks.TaskEvent, cause: unknown): Tasks.TaskEvent | undefined {
    if (Tasks.TaskEvent.safeParse(event).success) return event;
    const fitted = Tasks.fitTaskEvent(event);
    this.logger?.warn(
      { taskId: event.taskId, seq: event.seq, event: event.name, err: cause, reduced: !!fitted },
      'task event broke its contract; publishing it reduced',
    );
    return fitted;
  }

  private async store(events: Tasks.TaskEvent[]): Promise<void> {
    const [first, last] = [events[0], events.at(-1)];
    if (!first || !last) return;
    await this.jetstream.publish(
      Tasks.TaskEventPublished,
      [this.taskId, this.tenantId, last.name],
      { taskId: this.taskId, events },
      { msgId: `${this.taskId}:${first.seq}-${last.seq}` },
    );
  }
}

/**
 * The stored messages of one send: up to MAX_EVENTS_PER_MESSAGE events each, and a run of approval
 * requests always ends its message, so the message's subject (named by its last event) tells the
 * webhooks' approvals durable it holds one (Tasks.APPROVALS_REQUESTED_FILTER) without it reading
 * every event of every task. A terminal event is last anyway (nothing follows it).
 */
export function batchesOf(events: readonly Tasks.TaskEvent[]): Tasks.TaskEvent[][] {
  const batches: Tasks.TaskEvent[][] = [];
  let batch: Tasks.TaskEvent[] = [];
  events.forEach((event, i) => {
    batch.push(event);
    const endsRequests =
      event.name === Tasks.TaskEventName.ApprovalRequested &&
      events[i + 1]?.name !== Tasks.TaskEventName.ApprovalRequested;
    if (batch.length === Tasks.MAX_EVENTS_PER_MESSAGE || endsRequests) {
      batches.push(batch);
      batch = [];
    }
  });
  if (batch.length) batches.push(batch);
  return batches;
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
