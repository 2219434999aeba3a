import { Inject, Injectable } from '@nestjs/common';
import { TaskEventStream, Tasks } from '@switchboard/contracts';
import {
  decodeJson,
  JetStreamService,
  NATS_CONNECTION,
  unwrapEnvelope,
} from '@switchboard/messaging';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';

export interface FollowOptions {
  /** Deliver events with seq > afterSeq (Last-Event-ID). */
  afterSeq: number;
  /** Read the stored history first (replay) — for tasks that may already have events. */
  replay: boolean;
  /** How long a missing seq may stay missing before it is fetched from the stream. */
  gapRepairMs?: number;
}

/** One task's events in seq order, without gaps or duplicates, ending after the terminal event. */
export interface TaskEventFeed extends AsyncIterable<Tasks.TaskEvent> {
  close(): void;
}

/**
 * Follows a task's events. Live events arrive on a core subscription taken *before* anything else
 * (so none is missed); stored events come from JetStream when replaying or when a gap in the per-task
 * sequence outlives `gapRepairMs`. Events are released strictly in seq order.
 */
@Injectable()
export class TaskEventFollower {
  /** One live subscription per task in this process, shared by all its followers (decoded once). */
  private readonly hubs = new Map<
    string,
    { sub: Subscription; listeners: Set<(e: Tasks.TaskEvent) => void>; ready: Promise<void> }
  >();

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    private readonly jetstream: JetStreamService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Adds a listener to the task's shared subscription; resolves once the subscription is live. */
  private async listen(
    taskId: string,
    listener: (e: Tasks.TaskEvent) => void,
  ): Promise<() => void> {
    let hub = this.hubs.get(taskId);
    if (!hub) {
      const listeners = new Set<(e: Tasks.TaskEvent) => void>();
      const sub = this.nc.subscribe(Tasks.taskEventsFilter(taskId), {
        callback: (err, msg) => {
          if (err) return;
          const parsed = Tasks.TaskEvent.safeParse(unwrapEnvelope(decodeJson(msg.data)));
          if (!parsed.success || parsed.data.taskId !== taskId) {
            this.logger.warn({ taskId }, 'ignored an invalid task event');
            return;
          }
          for (const l of listeners) l(parsed.data);
        },
      });
      hub = { sub, listeners, ready: this.nc.flush() };
      this.hubs.set(taskId, hub);
    }
    const h = hub;
    h.listeners.add(listener);
    await h.ready;
    return () => {
      h.listeners.delete(listener);
      if (h.listeners.size === 0 && this.hubs.get(taskId) === h) {
        h.sub.unsubscribe();
        this.hubs.delete(taskId);
      }
    };
  }

  async follow(taskId: string, opts: FollowOptions): Promise<TaskEventFeed> {
    const filter = Tasks.taskEventsFilter(taskId);
    const buffer = new Map<number, Tasks.TaskEvent>();
    let next = opts.afterSeq + 1;
    let ended = false;
    let closed = false;
    let wake: (() => void) | undefined;
    let gapTimer: NodeJS.Timeout | undefined;
    let repairing = false;
    const signal = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const accept = (raw: unknown) => {
      const parsed = Tasks.TaskEvent.safeParse(raw);
      if (!parsed.success) {
        this.logger.warn({ taskId }, 'ignored an invalid task event');
        return;
      }
      if (parsed.data.taskId !== taskId || parsed.data.seq < next) return;
      buffer.set(parsed.data.seq, parsed.data);
      signal();
    };
    const repair = async () => {
      if (repairing || closed) return;
      repairing = true;
      try {
        // Replaying a filter with nothing stored does not finish (libs/messaging), and is pointless.
        if (!(await this.jetstream.lastMessage(TaskEventStream, filter))) return;
        const { messages } = await this.jetstream.replay(TaskEventStream, filter, {
          follow: false,
        });
        for await (const m of messages) accept(m.data);
      } catch (e) {
        this.logger.warn({ err: e, taskId }, 'could not read stored task events');
      } finally {
        repairing = false;
        signal();
      }
    };
    const stopListening = await this.listen(taskId, (event) => {
      if (event.seq < next) return;
      buffer.set(event.seq, event);
      signal();
    });
    if (opts.replay) await repair();
    const gapRepairMs = opts.gapRepairMs ?? 500;

    const close = () => {
      if (closed) return;
      closed = true;
      clearTimeout(gapTimer);
      stopListening();
      signal();
    };

    async function* iterate(): AsyncGenerator<Tasks.TaskEvent> {
      try {
        while (!closed && !ended) {
          const event = buffer.get(next);
          if (event) {
            buffer.delete(next);
            next++;
            clearTimeout(gapTimer);
            gapTimer = undefined;
            if (Tasks.isTerminalTaskEvent(event)) ended = true;
            yield event;
            continue;
          }
          if (buffer.size > 0 && !gapTimer) {
            // A later event arrived first: give the missing one a moment, then fetch it.
            gapTimer = setTimeout(() => {
              gapTimer = undefined;
              void repair();
            }, gapRepairMs);
          }
          await new Promise<void>((resolve) => (wake = resolve));
        }
      } finally {
        close();
      }
    }
    const iterator = iterate();
    return { [Symbol.asyncIterator]: () => iterator, close };
  }
}
