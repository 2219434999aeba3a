import { isDomainError, Tasks } from '@switchboard/contracts';
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

/**
 * The events of one task, numbered 1, 2, 3… without gaps. Publishes are pipelined (not awaited one
 * by one; NATS keeps their order on the connection) and `flush()` waits until every one is stored,
 * re-publishing any that failed in transport (Nats-Msg-Id = taskId:seq de-duplicates). An event that
 * fails its contract (a string over its limit…) is never retried as it is: its seq gets the event
 * reduced to fit (Tasks.fitTaskEvent), since clients release events strictly in seq order and a
 * missing seq would hold back every later event forever.
 */
export class TaskEventSequence {
  private seq: number;
  private readonly pending = new Map<
    number,
    { event: Tasks.TaskEvent; done: Promise<Published> }
  >();

  constructor(
    private readonly taskId: string,
    lastSeq: number,
    private readonly source: string,
    private readonly jetstream: JetStreamService,
    private readonly logger?: Pick<Logger, 'warn'>,
  ) {
    this.seq = lastSeq;
  }

  get lastSeq(): number {
    return this.seq;
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
      data,
    } as Tasks.TaskEvent;
    const done = this.publish(event);
    this.pending.set(event.seq, { event, done });
  }

  /**
   * Resolves once every emitted event is stored, publishing again (capped backoff) what failed in
   * transport, for up to FLUSH_PATIENCE_MS (a NATS outage or restart). Throws when that runs out, or
   * at once if an event cannot be stored at all (not even reduced: a programming error).
   */
  async flush(): Promise<void> {
    const started = Date.now();
    await retryWithBackoff(
      async (attempt) => {
        if (attempt > 0)
          for (const [seq, p] of this.pending)
            this.pending.set(seq, { ...p, done: this.publish(p.event) });
        const entries = [...this.pending.entries()];
        const results = await Promise.all(entries.map(([, p]) => p.done));
        entries.forEach(([seq], i) => {
          if (results[i] === 'stored') this.pending.delete(seq);
        });
        const refused = entries.filter((_, i) => results[i] === 'refused').map(([seq]) => seq);
        if (refused.length) throw new EventsRefused(this.taskId, refused);
        if (this.pending.size > 0)
          throw new Error(`could not store ${this.pending.size} event(s) of task ${this.taskId}`);
      },
      {
        backoff: FLUSH_BACKOFF,
        retryIf: (e) => !(e instanceof EventsRefused),
        until: () => started + FLUSH_PATIENCE_MS,
      },
    );
  }

  private async publish(event: Tasks.TaskEvent): Promise<Published> {
    try {
      await this.store(event);
      return 'stored';
    } catch (e) {
      // Anything but a contract failure happened on the way to the stream: worth another try.
      if (!isDomainError(e) || e.code !== 'VALIDATION') return 'retry';
      const fitted = Tasks.fitTaskEvent(event);
      this.logger?.warn(
        { taskId: event.taskId, seq: event.seq, event: event.name, err: e, reduced: !!fitted },
        'task event broke its contract; publishing it reduced',
      );
      if (!fitted) return 'refused';
      return this.store(fitted).then(
        () => 'stored' as const,
        () => 'retry' as const,
      );
    }
  }

  private async store(event: Tasks.TaskEvent): Promise<void> {
    await this.jetstream.publish(Tasks.TaskEventPublished, [event.taskId, event.name], event, {
      msgId: `${event.taskId}:${event.seq}`,
    });
  }
}
