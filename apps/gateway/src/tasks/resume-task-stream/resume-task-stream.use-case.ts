import { Injectable } from '@nestjs/common';
import { type Actor, TaskEventStream, Tasks } from '@switchboard/contracts';
import { JetStreamService } from '@switchboard/messaging';
import type { FastifyReply } from 'fastify';
import { NamedEventFormat } from '../event-format.js';
import { TaskStreamer } from '../task-streamer.js';
import { hasEnded } from '../feed/stored-outcome.js';
import { TaskSessions } from '../session/task-sessions.js';
import { TaskAccess } from '../task-access.js';

/**
 * GET /tasks/{id}/events: checks the caller may read the task, then replays its stored events after
 * `afterSeq` and follows the live ones, without gaps or duplicates (the follower orders by seq), on
 * any gateway replica and after a restart, since the events live in JetStream.
 *
 * `afterSeq` is measured against what the task has: once the task has ended, a client at or past its
 * last event gets 204; while it runs, a Last-Event-ID beyond its last event is clamped to that event
 * (no event the client claims to have can exist yet), so the stream still ends with the task.
 */
@Injectable()
export class ResumeTaskStreamUseCase {
  constructor(
    private readonly access: TaskAccess,
    private readonly sessions: TaskSessions,
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
    const view = await this.access.ensureStreamable(taskId, actor);
    const last = await this.lastStored(taskId);
    const ended =
      (last !== undefined && Tasks.isTerminalTaskEvent(last) && last.seq <= afterSeq) ||
      (view !== undefined && hasEnded(view) && view.lastEventSeq <= afterSeq);
    if (ended) {
      // Nothing more will come: 204 also tells an EventSource not to reconnect.
      await reply.status(204).header('x-task-id', taskId).header('x-request-id', requestId).send();
      return;
    }
    const known = Math.max(last?.seq ?? 0, view?.lastEventSeq ?? 0);
    const format = new NamedEventFormat();
    const session = await this.sessions.attach(actor, taskId, {
      slot: format.kind,
      afterSeq: Math.min(afterSeq, known),
      // Read just now: the feed need not ask again before its first replay and its first look.
      known: { ...(last ? { eventsStored: true } : {}), ...(view ? { view } : {}) },
    });
    await this.streamer.run(reply, session, format, {
      'x-task-id': taskId,
      'x-request-id': requestId,
    });
  }

  /** The task's last stored event, if any is still kept. */
  private async lastStored(taskId: string): Promise<Tasks.TaskEvent | undefined> {
    const last = await this.jetstream
      .lastMessage(TaskEventStream, Tasks.taskEventsFilter(taskId))
      .catch(() => undefined);
    const stored = last ? Tasks.StoredTaskEvents.safeParse(last.data) : undefined;
    return stored?.success ? Tasks.eventsOf(stored.data).at(-1) : undefined;
  }
}
