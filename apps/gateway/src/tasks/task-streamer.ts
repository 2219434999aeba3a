import { Inject, Injectable } from '@nestjs/common';
import { Tasks } from '@switchboard/contracts';
import { LOGGER, type Logger } from '@switchboard/observability';
import type { FastifyReply } from 'fastify';
import { SseStreams } from '../http/sse-streams.js';
import type { EventFormat } from './event-format.js';
import type { TaskSession } from './session/task-session.js';

/**
 * The SSE edge over a task session: writes the session's events as SSE frames in some format,
 * heartbeats included, until the task's terminal event or until the client leaves (the session then
 * frees its slot and subscription; the task keeps running and can be resumed).
 */
@Injectable()
export class TaskStreamer {
  constructor(
    private readonly streams: SseStreams,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Writes the stream until the task's terminal event or the client leaves. Never throws. */
  async run(
    reply: FastifyReply,
    session: TaskSession,
    format: EventFormat,
    headers: Record<string, string>,
  ): Promise<void> {
    const { taskId } = session;
    const sse = this.streams.open(reply, headers, {
      taskId,
      kind: format.kind,
      dropped: 'event stream',
    });
    sse.onClose(() => session.leave());
    try {
      for (const frame of format.opening()) sse.frame(frame);
      // Each event is written from the subscription's callback itself, with no promise per event:
      // thousands of streams of one task are thousands of writes, not thousands of async steps.
      await session.stream((event) => {
        for (const frame of format.frames(event)) sse.frame(frame);
        // Ended in the same tick as the last frame: one socket write for both. (The session hands
        // the terminal event over once its slot is free.)
        if (Tasks.isTerminalTaskEvent(event)) sse.end();
      });
    } catch (e) {
      this.logger.warn({ err: e, taskId }, 'task stream failed');
    } finally {
      // Any other end (the events stopped, a failure): once the slot is free too.
      await session.finish();
      this.streams.end(sse);
    }
  }
}
