import { Injectable } from '@nestjs/common';
import { type Actor, TaskEventStream, Tasks } from '@switchboard/contracts';
import { JetStreamService } from '@switchboard/messaging';
import type { FastifyReply } from 'fastify';
import { NamedEventFormat } from '../streaming/event-format.js';
import { TaskStreamer } from '../streaming/task-streamer.js';
import { TaskAccess } from './task-access.js';

/**
 * GET /tasks/{id}/events: checks the caller may read the task, then replays its stored events after
 * `afterSeq` and follows the live ones, without gaps or duplicates (the follower orders by seq), on
 * any gateway replica and after a restart, since the events live in JetStream.
 */
@Injectable()
export class ResumeTaskStreamUseCase {
  constructor(
    private readonly access: TaskAccess,
    private readonly streamer: TaskStreamer,
    private readonly jetstream: JetStreamService,
  ) {}

  async execute(
    reply: FastifyReply,
    actor: Actor,
    taskId: string,
    afterSeq: number,
    requestId: string,
  ): Promise<void> {
    await this.access.ensureStreamable(taskId, actor);
    if (await this.endedAt(taskId, afterSeq)) {
      // Nothing more will come: 204 also tells an EventSource not to reconnect.
      await reply.status(204).header('x-task-id', taskId).header('x-request-id', requestId).send();
      return;
    }
    const format = new NamedEventFormat();
    const prepared = await this.streamer.prepare(actor, taskId, format.kind, {
      afterSeq,
      replay: true,
    });
    await this.streamer.run(reply, prepared, format, {
      'x-task-id': taskId,
      'x-request-id': requestId,
    });
  }

  /** True when the task's last stored event is terminal and the client has it already. */
  private async endedAt(taskId: string, afterSeq: number): Promise<boolean> {
    const last = await this.jetstream
      .lastMessage(TaskEventStream, Tasks.taskEventsFilter(taskId))
      .catch(() => undefined);
    const event = last ? Tasks.TaskEvent.safeParse(last.data) : undefined;
    return !!event?.success && Tasks.isTerminalTaskEvent(event.data) && event.data.seq <= afterSeq;
  }
}
