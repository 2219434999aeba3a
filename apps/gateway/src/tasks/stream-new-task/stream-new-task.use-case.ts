import { Injectable } from '@nestjs/common';
import type { Actor, Tasks } from '@switchboard/contracts';
import type { FastifyReply } from 'fastify';
import type { EventFormat } from '../event-format.js';
import { TaskSessions } from '../session/task-sessions.js';
import { TaskStreamer } from '../task-streamer.js';

/**
 * Submits a task and streams its events from the first one: the session takes the slot and the
 * subscription before the submission, so not even the first event can be missed, and a refused
 * stream submits nothing.
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
  ): Promise<void> {
    const taskId = this.sessions.newTaskId();
    const fmt = format(taskId);
    const session = await this.sessions.start(actor, { taskId, slot: fmt.kind });
    await session.submit(body, requestId);
    await this.streamer.run(reply, session, fmt, {
      'x-task-id': taskId,
      'x-request-id': requestId,
    });
  }
}
