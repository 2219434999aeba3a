import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG } from '@switchboard/config';
import { type Actor, Tasks } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import { ServiceShutdown } from '@switchboard/runtime';
import type { FastifyReply } from 'fastify';
import type { GatewayEnv } from '../config/gateway.env.js';
import { SseWriter } from '../http/sse.writer.js';
import { StreamSlots, type StreamSlot } from '../limits/stream-slots.js';
import {
  type FollowOptions,
  type TaskEventFeed,
  TaskEventFollower,
} from './feed/task-event.feed.js';
import type { EventFormat } from './event-format.js';

/** A stream slot and a live subscription, taken before the task is submitted or looked up. */
export interface PreparedStream {
  readonly taskId: string;
  readonly feed: TaskEventFeed;
  /** Frees the subscription and the slot (idempotent). */
  abort(): void;
}

/**
 * Streams one task's events over SSE in some format: reserves the user's stream slot, follows the
 * events in seq order, writes heartbeats, and the moment the client goes away frees the slot and the
 * subscription. The task itself is never touched: it keeps running and can be resumed. When the
 * gateway stops, its open streams are ended (not cut): clients resume with Last-Event-ID elsewhere.
 */
@Injectable()
export class TaskStreamer {
  private readonly open = new Set<SseWriter>();

  constructor(
    private readonly follower: TaskEventFollower,
    private readonly slots: StreamSlots,
    @Inject(APP_CONFIG) private readonly config: GatewayEnv,
    @Inject(LOGGER) private readonly logger: Logger,
    shutdown: ServiceShutdown,
  ) {
    shutdown.whenDraining('event streams', () => {
      for (const sse of [...this.open]) sse.end();
    });
  }

  async prepare(
    actor: Actor,
    taskId: string,
    kind: string,
    follow: Omit<FollowOptions, 'actor'>,
  ): Promise<PreparedStream> {
    let slot: StreamSlot;
    let feed: TaskEventFeed;
    if (follow.replay) {
      // A replay reads stored events: only for a stream the user's cap admits.
      slot = await this.slots.acquire(actor, kind);
      try {
        feed = await this.follower.follow(taskId, { ...follow, actor });
      } catch (e) {
        slot.release();
        throw e;
      }
    } else {
      // Live only: the slot (Redis) and the subscription (NATS) are taken side by side, one round
      // trip instead of two before the task is submitted; whichever fails gives the other back.
      const [slotTaken, feedTaken] = await Promise.allSettled([
        this.slots.acquire(actor, kind),
        this.follower.follow(taskId, { ...follow, actor }),
      ]);
      if (slotTaken.status === 'rejected' || feedTaken.status === 'rejected') {
        if (slotTaken.status === 'fulfilled') slotTaken.value.release();
        if (feedTaken.status === 'fulfilled') feedTaken.value.close();
        throw slotTaken.status === 'rejected'
          ? slotTaken.reason
          : (feedTaken as PromiseRejectedResult).reason;
      }
      slot = slotTaken.value;
      feed = feedTaken.value;
    }
    return {
      taskId,
      feed,
      abort: () => {
        feed.close();
        slot.release();
      },
    };
  }

  /** Writes the stream until the task's terminal event or the client leaves. Never throws. */
  async run(
    reply: FastifyReply,
    prepared: PreparedStream,
    format: EventFormat,
    headers: Record<string, string>,
  ): Promise<void> {
    const taskId = prepared.taskId;
    const sse = SseWriter.open(reply, headers, {
      heartbeatMs: this.config.SSE_HEARTBEAT_MS,
      maxBufferBytes: this.config.SSE_MAX_BUFFER_BYTES,
      onDrop: (reason, details) =>
        this.logger.warn(
          { taskId, kind: format.kind, ...details },
          `event stream dropped: ${reason} (the task keeps running; the client can resume)`,
        ),
    });
    this.open.add(sse);
    sse.onClose(() => prepared.abort());
    try {
      for (const frame of format.opening()) sse.frame(frame);
      // Each event is written from the subscription's callback itself, with no promise per event:
      // thousands of streams of one task are thousands of writes, not thousands of async steps.
      await prepared.feed.forEach((event) => {
        for (const frame of format.frames(event)) sse.frame(frame);
        // Ended in the same tick as the last frame: one socket write for both.
        if (Tasks.isTerminalTaskEvent(event)) sse.end();
      });
    } catch (e) {
      this.logger.warn({ err: e, taskId }, 'task stream failed');
    } finally {
      sse.end();
      this.open.delete(sse);
      prepared.abort();
    }
  }
}
