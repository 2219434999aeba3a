import { Injectable } from '@nestjs/common';
import { type Actor, Tasks } from '@switchboard/contracts';
import { NatsBus } from '@switchboard/messaging';
import type { FastifyReply } from 'fastify';
import { NamedEventFormat } from '../event-format.js';
import { TaskStreamer } from '../task-streamer.js';
import { hasEnded } from '../feed/stored-outcome.js';
import { TaskSessions } from '../session/task-sessions.js';
import { TaskAccess } from '../task-access.js';

/**
 * GET /tasks/{id}/events: checks the caller may read the task, then replays its stored events after
 * `afterSeq` and follows the live ones, without gaps or duplicates (the follower orders by seq), on
 * any gateway replica and after a restart, since the events live in the orchestrator's journal.
 *
 * `afterSeq` is measured against what the task has: once the task has ended, a client at or past its
 * last event gets 204; while it runs, a Last-Event-ID beyond its last event is clamped to that event
 * (no event the client claims to have can exist yet), so the stream still ends with the task. Only
 * the journal (or an ended task's row) is trusted for that.
 */
@Injectable()
export class ResumeTaskStreamUseCase {
  constructor(
    private readonly access: TaskAccess,
    private readonly sessions: TaskSessions,
    private readonly streamer: TaskStreamer,
    private readonly bus: NatsBus,
  ) {}

  async execute(
    reply: FastifyReply,
    actor: Actor,
    taskId: string,
    afterSeq: number,
    requestId: string,
  ): Promise<void> {
    const view = await this.access.ensureStreamable(taskId, actor);
    const last = await this.lastJournaled(taskId, actor);
    const ended =
      (last !== undefined && last.ended && last.lastSeq <= afterSeq) ||
      (view !== undefined && hasEnded(view) && view.lastEventSeq <= afterSeq);
    if (ended) {
      // Nothing more will come: 204 also tells an EventSource not to reconnect.
      await reply.status(204).header('x-task-id', taskId).header('x-request-id', requestId).send();
      return;
    }
    // Only the journal says where a running task's events end: the stored row's lastEventSeq is
    // written at pauses and ends, so clamping to it would replay what the client already has. When
    // the journal cannot be read now, the client's position stands (the feed reads it later).
    const rowEnd = view && hasEnded(view) ? view.lastEventSeq : undefined;
    const known = last ? Math.max(last.lastSeq, rowEnd ?? 0) : (rowEnd ?? afterSeq);
    const format = new NamedEventFormat();
    const session = await this.sessions.attach(actor, taskId, {
      slot: format.kind,
      afterSeq: Math.min(afterSeq, known),
      // Read just now: the feed need not ask again before its first replay and its first look.
      known: { ...(last?.lastSeq ? { eventsStored: true } : {}), ...(view ? { view } : {}) },
    });
    await this.streamer.run(reply, session, format, {
      'x-task-id': taskId,
      'x-request-id': requestId,
    });
  }

  /** Where the task's journal ends (its last seq, and whether that event ends the task). */
  private async lastJournaled(
    taskId: string,
    actor: Actor,
  ): Promise<Tasks.TaskEventsPage | undefined> {
    return this.bus
      .request(Tasks.TaskEvents, { taskId, afterSeq: 0, limit: 1 }, { actor })
      .catch(() => undefined);
  }
}
