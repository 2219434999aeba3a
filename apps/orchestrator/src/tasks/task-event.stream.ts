import { isDomainError, Tasks } from '@switchboard/contracts';
import type { JetStreamService } from '@switchboard/messaging';
import type { Logger } from '@switchboard/observability';

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
   * Resolves once every emitted event is stored. Throws if one cannot be stored after retries (NATS
   * unavailable), or at once if one cannot be stored at all (not even reduced: a programming error).
   */
  async flush(): Promise<void> {
    for (let attempt = 0; this.pending.size > 0; attempt++) {
      const entries = [...this.pending.entries()];
      const results = await Promise.all(entries.map(([, p]) => p.done));
      entries.forEach(([seq], i) => {
        if (results[i] === 'stored') this.pending.delete(seq);
      });
      const refused = entries.filter((_, i) => results[i] === 'refused').map(([seq]) => seq);
      if (refused.length)
        throw new Error(`event(s) ${refused.join(', ')} of task ${this.taskId} fit no contract`);
      if (this.pending.size === 0) return;
      if (attempt >= 3)
        throw new Error(`could not store ${this.pending.size} event(s) of task ${this.taskId}`);
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      for (const [seq, p] of this.pending)
        this.pending.set(seq, { ...p, done: this.publish(p.event) });
    }
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
