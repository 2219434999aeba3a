import { Injectable } from '@nestjs/common';
import type { Actor, Tasks } from '@switchboard/contracts';
import type { FastifyReply } from 'fastify';
import type { DeferredRateCharge } from '../../limits/rate-limiter.js';
import type { EventFormat } from '../event-format.js';
import { TaskSessions } from '../session/task-sessions.js';
import { TaskStreamer } from '../task-streamer.js';

/**
 * Submits a task and streams its events from the first one: the session takes the subscription
 * before the submission, so not even the first event can be missed, and the slot with the task's
 * admission (with the request's rate charge: one round trip), so a refused stream submits nothing.
 */
@Injectable()
export class StreamNewTaskUseCase {
  constructor(
    private readonly sessions: TaskSessions,
    private readonly streamer: TaskStreamer,
  ) {}

  async execute(
    reply: FastifyReply,
    actor: Actor,
    body: Tasks.TaskRequest,
    requestId: string,
    format: (taskId: string) => EventFormat,
    /** The request's rate charge, left to the task's admission (RateChargedAtAdmission). */
    rate?: DeferredRateCharge,
  ): Promise<void> {
    const taskId = this.sessions.newTaskId();
    const fmt = format(taskId);
    const session = await this.sessions.start(actor, { taskId, slot: fmt.kind, rate });
    await session.submit(body, requestId);
    await this.streamer.run(reply, session, fmt, {
      'x-task-id': taskId,
      'x-request-id': requestId,
    });
  }
}
