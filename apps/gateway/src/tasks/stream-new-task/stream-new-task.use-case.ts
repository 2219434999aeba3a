import { Injectable } from '@nestjs/common';
import type { Actor, Tasks } from '@switchboard/contracts';
import type { FastifyReply } from 'fastify';
import { SubmitTaskUseCase } from '../submit-task/submit-task.use-case.js';
import type { EventFormat } from '../event-format.js';
import { TaskStreamer } from '../task-streamer.js';

/**
 * Submits a task and streams its events from the first one: the slot and the subscription are taken
 * before the submission, so not even the first event can be missed, and a refused stream submits nothing.
 */
@Injectable()
export class StreamNewTaskUseCase {
  constructor(
    private readonly submit: SubmitTaskUseCase,
    private readonly streamer: TaskStreamer,
  ) {}

  async execute(
    reply: FastifyReply,
    actor: Actor,
    body: Tasks.TaskRequest,
    requestId: string,
    format: (taskId: string) => EventFormat,
  ): Promise<void> {
    const taskId = this.submit.newTaskId();
    const fmt = format(taskId);
    const prepared = await this.streamer.prepare(actor, taskId, fmt.kind, {
      afterSeq: 0,
      replay: false,
    });
    try {
      await this.submit.execute(taskId, actor, body, requestId);
    } catch (e) {
      prepared.abort();
      throw e;
    }
    await this.streamer.run(reply, prepared, fmt, {
      'x-task-id': taskId,
      'x-request-id': requestId,
    });
  }
}
