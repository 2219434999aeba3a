import { Tasks } from '@switchboard/contracts';
import type { JetStreamService } from '@switchboard/messaging';

/**
 * The events of one task, numbered 1, 2, 3… without gaps. Publishes are pipelined (not awaited one
 * by one; NATS keeps their order on the connection) and `flush()` waits until every one is stored,
 * re-publishing any that failed (Nats-Msg-Id = taskId:seq de-duplicates).
 */
export class TaskEventSequence {
  private seq: number;
  private readonly pending = new Map<number, { event: Tasks.TaskEvent; done: Promise<boolean> }>();

  constructor(
    private readonly taskId: string,
    lastSeq: number,
    private readonly source: string,
    private readonly jetstream: JetStreamService,
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

  /** Resolves once every emitted event is stored; throws if one cannot be stored after retries. */
  async flush(): Promise<void> {
    for (let attempt = 0; this.pending.size > 0; attempt++) {
      const entries = [...this.pending.entries()];
      const results = await Promise.all(entries.map(([, p]) => p.done));
      entries.forEach(([seq], i) => {
        if (results[i]) this.pending.delete(seq);
      });
      if (this.pending.size === 0) return;
      if (attempt >= 3)
        throw new Error(`could not store ${this.pending.size} event(s) of task ${this.taskId}`);
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      for (const [seq, p] of this.pending)
        this.pending.set(seq, { ...p, done: this.publish(p.event) });
    }
  }

  private publish(event: Tasks.TaskEvent): Promise<boolean> {
    return this.jetstream
      .publish(Tasks.TaskEventPublished, [event.taskId, event.name], event, {
        msgId: `${event.taskId}:${event.seq}`,
      })
      .then(
        () => true,
        () => false,
      );
  }
}
